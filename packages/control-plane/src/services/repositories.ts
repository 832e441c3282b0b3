/**
 * The repositories a tenant may start sessions on, for the new-session picker: the GitHub
 * repositories its connected installations grant, and in local mode the local sandbox host's
 * repositories root (one machine, one person); deployments list nothing local, since a shared
 * host's disk belongs to no tenant.
 */
import type { ListRepositoriesResponse } from "@nightshift/protocol";
import { openDatabase } from "../db/client";
import { listTenantRepositories } from "../db/repositories/github";
import type { Actor, Bindings } from "../env";
import { AppError } from "../http/app-error";
import { createSandboxProvider } from "../providers/factory";
import { SandboxProviderError } from "../providers/provider";

export async function listRepositories(env: Bindings, actor: Actor): Promise<ListRepositoriesResponse> {
  const github = (await listTenantRepositories(openDatabase(env.DB), actor.tenantId)).map((r) => ({
    repo: { kind: "github" as const, owner: r.owner, name: r.name },
    label: `${r.owner}/${r.name}`,
    defaultBranch: r.defaultBranch,
  }));
  const local = env.NIGHTSHIFT_MODE === "local" ? await listLocal(env) : [];
  return { repositories: [...github, ...local] };
}

async function listLocal(env: Bindings): Promise<ListRepositoriesResponse["repositories"]> {
  try {
    // Local repositories live on the sandbox host, whatever the deployment's default provider.
    const provider = createSandboxProvider(env, "local");
    const local = (await provider.listLocalRepositories?.()) ?? [];
    return local.map((r) => ({
      repo: { kind: "local" as const, path: r.path },
      label: r.path,
      defaultBranch: r.defaultBranch,
    }));
  } catch (err) {
    const message = err instanceof SandboxProviderError ? err.message : "the sandbox host could not be asked";
    throw new AppError("upstream_unavailable", `cannot list local repositories: ${message}`);
  }
}
