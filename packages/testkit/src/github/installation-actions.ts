/**
 * Installing, uninstalling and re-scoping the App, as the owner of an account does on GitHub's
 * settings pages. Each returns what changed so the caller can deliver the matching webhook.
 */
import { z } from "zod";
import type { GithubState, Installation, Repository } from "./github-state";
import type { InstallationTokens } from "./installation-tokens";

export const installationInput = z.object({
  id: z.number().int().positive(),
  account: z.string().min(1),
  /** `owner/name` of each granted repository, or "all" for every repository of the account. */
  repos: z.union([z.literal("all"), z.array(z.string())]).default("all"),
  /** Logins besides the account that can see the installation (org members), for `GET /user/installations`. */
  members: z.array(z.string().min(1)).default([]),
});
export type InstallationInput = z.input<typeof installationInput>;

function accountRepo(state: GithubState, account: string, full: string): Repository {
  const [owner = "", name = ""] = full.split("/");
  const repo = state.repo(owner, name);
  if (!repo) throw new Error(`GitHub double: unknown repository '${full}'`);
  if (repo.owner.toLowerCase() !== account.toLowerCase())
    throw new Error(`GitHub double: '${full}' does not belong to account '${account}'`);
  return repo;
}

export function addInstallation(state: GithubState, input: InstallationInput, at: string): Installation {
  const i = installationInput.parse(input);
  if (state.installations.has(i.id)) throw new Error(`GitHub double: installation ${i.id} already exists`);
  const repositoryIds =
    i.repos === "all" ? ("all" as const) : i.repos.map((full) => accountRepo(state, i.account, full).id);
  const inst: Installation = {
    id: i.id,
    account: i.account,
    repositoryIds,
    members: i.members,
    suspended: false,
    createdAt: at,
  };
  state.installations.set(inst.id, inst);
  return inst;
}

export function mustInstallation(state: GithubState, id: number): Installation {
  const inst = state.installations.get(id);
  if (!inst) throw new Error(`GitHub double: no installation ${id}`);
  return inst;
}

/** Removes the installation and revokes its tokens; returns it with the repositories it covered. */
export function removeInstallation(
  state: GithubState,
  tokens: InstallationTokens,
  id: number,
): { inst: Installation; repos: Repository[] } {
  const inst = mustInstallation(state, id);
  const repos = state.installationRepos(inst);
  state.installations.delete(id);
  tokens.revokeInstallation(id);
  return { inst, repos };
}

/**
 * Grants or withdraws repositories. Withdrawing from an "all repositories" installation turns it
 * into a selection of the rest, as GitHub's settings page does. Tokens already minted lose the
 * withdrawn repositories at once, because their scope is checked against the installation.
 */
export function changeInstallationRepos(
  state: GithubState,
  id: number,
  change: { add?: string[]; remove?: string[] },
): { inst: Installation; added: Repository[]; removed: Repository[] } {
  const inst = mustInstallation(state, id);
  const before = state.installationRepos(inst);
  const has = (r: Repository) => before.some((b) => b.id === r.id);
  const added = (change.add ?? [])
    .map((full) => accountRepo(state, inst.account, full))
    .filter((r) => !has(r));
  const removed = (change.remove ?? []).map((full) => accountRepo(state, inst.account, full)).filter(has);
  const keep = before.filter((r) => !removed.some((x) => x.id === r.id));
  if (inst.repositoryIds !== "all" || removed.length > 0)
    inst.repositoryIds = [...keep, ...added].map((r) => r.id);
  return { inst, added, removed };
}
