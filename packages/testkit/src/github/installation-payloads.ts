/**
 * Builders of the App-level deliveries about installations, shaped like the real
 * `installation.created`/`installation.deleted` and `installation_repositories` payloads that
 * GitHub sends (its webhook events reference): the full installation object, brief repository
 * entries and the sender.
 */
import type { GithubUser, Installation, Repository } from "./github-state";
import { installationJson, repoBriefJson, type ShapeCtx, userJson } from "./rest-shapes";

/** `repositories` lists what the installation covered when the event happened. */
export function installationPayload(
  ctx: ShapeCtx,
  inst: Installation,
  action: "created" | "deleted",
  repos: Repository[],
  sender: GithubUser,
) {
  return {
    action,
    installation: installationJson(inst, ctx),
    repositories: repos.map(repoBriefJson),
    sender: userJson(sender, ctx.urls),
  };
}

/** One delivery per direction: GitHub's `added` and `removed` actions each name their own list. */
export function installationRepositoriesPayload(
  ctx: ShapeCtx,
  inst: Installation,
  action: "added" | "removed",
  repos: Repository[],
  sender: GithubUser,
) {
  return {
    action,
    installation: installationJson(inst, ctx),
    repository_selection: inst.repositoryIds === "all" ? "all" : "selected",
    repositories_added: action === "added" ? repos.map(repoBriefJson) : [],
    repositories_removed: action === "removed" ? repos.map(repoBriefJson) : [],
    requester: null,
    sender: userJson(sender, ctx.urls),
  };
}
