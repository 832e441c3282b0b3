/**
 * Which sandbox provider runs a tenant's sessions. The deployment decides which providers exist
 * (providers/availability.ts) and its default (SANDBOX_PROVIDER); owners and admins may pick a
 * tenant default and per-repository overrides among the available ones (audited); members read.
 * A session's provider is resolved once, when it is created: repository override → tenant
 * default → the deployment's.
 */
import type { RepoRef, SandboxSettings, SandboxSettingsView } from "@nightshift/protocol";
import { recordAudit } from "../audit/record";
import { openDatabase } from "../db/client";
import { putSandboxSettings, readSandboxSettings } from "../db/repositories/sandbox-settings";
import type { Actor, Bindings } from "../env";
import { AppError } from "../http/app-error";
import { availableProviders, deploymentDefaultProvider } from "../providers/availability";
import { repoKeyOf } from "../secrets/sandbox-secrets";

function viewOf(env: Bindings, settings: SandboxSettings, updatedAt: string | null): SandboxSettingsView {
  return {
    settings,
    available: availableProviders(env),
    deploymentDefault: deploymentDefaultProvider(env),
    updatedAt,
  };
}

export async function getSandboxSettings(env: Bindings, actor: Actor): Promise<SandboxSettingsView> {
  const stored = await readSandboxSettings(openDatabase(env.DB), actor.tenantId);
  return viewOf(env, stored.settings, stored.updatedAt);
}

export async function setSandboxSettings(
  env: Bindings,
  actor: Actor,
  value: SandboxSettings,
): Promise<SandboxSettingsView> {
  const available = availableProviders(env);
  const chosen = [
    ...(value.provider ? [["provider", value.provider] as const] : []),
    ...Object.entries(value.repositories).map(([repo, name]) => [`repositories.${repo}`, name] as const),
  ];
  // A local repository lives on the sandbox host's machine: only the local provider can mirror it.
  const elsewhere = Object.entries(value.repositories).filter(
    ([repo, name]) => repo.startsWith("local:") && name !== "local",
  );
  if (elsewhere.length > 0) {
    throw new AppError(
      "invalid_request",
      "a local repository runs only on the local sandbox provider (its files are on the sandbox host)",
      elsewhere.map(([repo]) => ({ path: `repositories.${repo}`, message: "must be local" })),
    );
  }
  const refused = chosen.filter(([, name]) => !available.includes(name));
  if (refused.length > 0) {
    const can = available.length > 0 ? available.join(", ") : "none";
    throw new AppError(
      "invalid_request",
      `this deployment cannot run the sandbox provider ${[...new Set(refused.map(([, n]) => n))].join(", ")}; it can run: ${can}`,
      refused.map(([path, name]) => ({ path, message: `${name} is not available here (available: ${can})` })),
    );
  }
  const db = openDatabase(env.DB);
  const now = new Date().toISOString();
  await putSandboxSettings(db, actor.tenantId, value, actor.userId, now);
  await recordAudit(db, actor.tenantId, actor, {
    action: "settings.sandbox_changed",
    target: { type: "tenant", id: actor.tenantId },
    detail: {
      provider: value.provider ?? "deployment default",
      repositories: Object.entries(value.repositories)
        .map(([repo, name]) => `${repo}=${name}`)
        .join(",")
        .slice(0, 2000),
    },
  });
  return viewOf(env, value, now);
}

/**
 * The provider a new session of this tenant on this repository runs on. A provider the tenant
 * chose but the deployment can no longer run fails the request, named: silently falling back
 * could run the tenant's code under weaker isolation than it asked for.
 */
export async function resolveSandboxProvider(
  env: Bindings,
  tenantId: string,
  repo: RepoRef,
): Promise<string> {
  // Local repositories exist only on the sandbox host's machine (local mode).
  if (repo.kind === "local") return "local";
  const { settings } = await readSandboxSettings(openDatabase(env.DB), tenantId);
  const repoKey = repoKeyOf(repo);
  const chosen = settings.repositories[repoKey] ?? settings.provider;
  if (!chosen) return deploymentDefaultProvider(env);
  const available = availableProviders(env);
  if (!available.includes(chosen)) {
    const where = settings.repositories[repoKey] ? `for ${repoKey}` : "as the tenant default";
    throw new AppError(
      "invalid_request",
      `the tenant's sandbox settings choose ${chosen} ${where}, which this deployment cannot run (it can run: ${available.join(", ") || "none"}); an admin can change it in Settings → Sandboxes`,
    );
  }
  return chosen;
}
