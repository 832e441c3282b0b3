/**
 * Installation facts the control plane checks with GitHub before trusting them: that a user can
 * really access an installation (their own token, `GET /user/installations`), the installation's
 * account (App JWT), and the repositories it grants (an installation token with metadata read).
 */

import type { Octokit } from "@octokit/core";
import { z } from "zod";
import { apiHeaders } from "../tenancy/github-oauth";
import { type GithubApp, installationClient } from "./app-client";
import { GithubCallError } from "./failure";

const MAX_PAGES = 10;
const PER_PAGE = 100;
const TIMEOUT_MS = 10_000;

const UserInstallations = z.object({
  total_count: z.number().int().nonnegative(),
  installations: z.array(z.looseObject({ id: z.number().int().positive() })),
});
const InstallationInfo = z.looseObject({
  id: z.number().int().positive(),
  account: z.looseObject({ login: z.string() }).nullable(),
  suspended_at: z.string().nullable().optional(),
});
const InstallationRepos = z.object({
  total_count: z.number().int().nonnegative(),
  repositories: z.array(
    z.looseObject({
      id: z.number().int().positive(),
      name: z.string(),
      owner: z.looseObject({ login: z.string() }),
      default_branch: z.string().optional(),
    }),
  ),
});

export interface GrantedRepository {
  id: number;
  owner: string;
  name: string;
  defaultBranch: string | null;
}

async function getAsUser(apiUrl: string, userToken: string, path: string, what: string): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${apiUrl}${path}`, {
      headers: apiHeaders(userToken),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch {
    throw new GithubCallError(what, null);
  }
  if (!res.ok) throw await GithubCallError.fromResponse(what, res);
  return res.json().catch(() => null);
}

const GithubIdentity = z.looseObject({ id: z.number().int().positive(), login: z.string() });

/** Who the user token belongs to. */
export async function userIdentity(
  apiUrl: string,
  userToken: string,
): Promise<{ id: number; login: string }> {
  const parsed = GithubIdentity.safeParse(await getAsUser(apiUrl, userToken, "/user", "user lookup"));
  if (!parsed.success) throw new GithubCallError("user lookup (unexpected answer)", null);
  return parsed.data;
}

/** True when the user's own token lists the installation among those they can access. */
export async function userCanAccessInstallation(
  apiUrl: string,
  userToken: string,
  installationId: number,
): Promise<boolean> {
  for (let page = 1; page <= MAX_PAGES; page++) {
    const raw = await getAsUser(
      apiUrl,
      userToken,
      `/user/installations?per_page=${PER_PAGE}&page=${page}`,
      "installation access check",
    );
    const parsed = UserInstallations.safeParse(raw);
    if (!parsed.success) throw new GithubCallError("installation access check (unexpected answer)", null);
    if (parsed.data.installations.some((i) => i.id === installationId)) return true;
    if (page * PER_PAGE >= parsed.data.total_count || parsed.data.installations.length < PER_PAGE)
      return false;
  }
  return false;
}

export async function installationAccount(
  app: GithubApp,
  installationId: number,
): Promise<{ login: string; suspended: boolean }> {
  try {
    const res = await app.octokit.request("GET /app/installations/{installation_id}", {
      installation_id: installationId,
    });
    const info = InstallationInfo.parse(res.data);
    return { login: info.account?.login ?? `installation-${installationId}`, suspended: !!info.suspended_at };
  } catch (error) {
    throw GithubCallError.from("installation lookup", error);
  }
}

/** Every repository the installation grants (paged; stops after 1,000). */
export async function installationRepositories(
  app: GithubApp,
  apiUrl: string,
  installationId: number,
): Promise<GrantedRepository[]> {
  let octokit: Octokit;
  try {
    octokit = await installationClient(app, apiUrl, { installationId, permissions: { metadata: "read" } });
  } catch (error) {
    throw GithubCallError.from("installation token", error);
  }
  const out: GrantedRepository[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    let data: z.infer<typeof InstallationRepos>;
    try {
      const res = await octokit.request("GET /installation/repositories", { per_page: PER_PAGE, page });
      data = InstallationRepos.parse(res.data);
    } catch (error) {
      throw GithubCallError.from("repository listing", error);
    }
    for (const r of data.repositories)
      out.push({ id: r.id, owner: r.owner.login, name: r.name, defaultBranch: r.default_branch ?? null });
    if (out.length >= data.total_count || data.repositories.length < PER_PAGE) break;
  }
  return out;
}
