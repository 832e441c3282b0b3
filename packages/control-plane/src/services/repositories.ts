/**
 * The repositories a tenant may start sessions on, for the new-session picker. In local mode
 * that is the local sandbox host's repositories root (one machine, one person); deployments list
 * nothing local, since a shared host's disk belongs to no tenant.
 */
import type { ListRepositoriesResponse } from "@nightshift/protocol";
import type { Actor, Bindings } from "../env";
import { AppError } from "../http/app-error";
import { createSandboxProvider } from "../providers/factory";
import { SandboxProviderError } from "../providers/provider";

export async function listRepositories(env: Bindings, _actor: Actor): Promise<ListRepositoriesResponse> {
  if (env.NIGHTSHIFT_MODE !== "local") return { repositories: [] };
  try {
    const provider = createSandboxProvider(env);
    const local = (await provider.listLocalRepositories?.()) ?? [];
    return {
      repositories: local.map((r) => ({
        repo: { kind: "local" as const, path: r.path },
        label: r.path,
        defaultBranch: r.defaultBranch,
      })),
    };
  } catch (err) {
    const message = err instanceof SandboxProviderError ? err.message : "the sandbox host could not be asked";
    throw new AppError("upstream_unavailable", 503, `cannot list local repositories: ${message}`);
  }
}
