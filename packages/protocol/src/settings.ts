/**
 * Tenant settings: what owners and admins configure for every session of the tenant, and members
 * may read. Today the egress allow-list: hosts the tenant's sandboxes may reach through the
 * sandbox host's egress proxy on top of what a session needs (model API, git host, registries).
 */
import { z } from "zod";
import { EGRESS_ALLOW_HOSTS_MAX, EgressHostPattern } from "./sandbox-host.ts";
import { RepoKey } from "./tenancy.ts";

export const EgressSettings = z.strictObject({
  allowHosts: z
    // DNS names compare case-insensitively: accept any case, store lowercase.
    .array(z.string().max(253).trim().toLowerCase().pipe(EgressHostPattern))
    .max(EGRESS_ALLOW_HOSTS_MAX, `at most ${EGRESS_ALLOW_HOSTS_MAX} host patterns`),
});
export type EgressSettings = z.infer<typeof EgressSettings>;

export const TenantSettings = z.object({
  egress: EgressSettings,
  updatedAt: z.string().nullable(),
});
export type TenantSettings = z.infer<typeof TenantSettings>;

/** PUT /api/v1/tenants/:tenantId/settings/egress: replaces the whole allow-list. */
/** @alias The body of PUT settings/egress is the settings themselves. */
export const PutEgressSettingsRequest = EgressSettings;
export type PutEgressSettingsRequest = z.infer<typeof PutEgressSettingsRequest>;

/** The sandbox backends Nightshift knows; which of them a deployment can run depends on its config. */
export const SANDBOX_PROVIDER_NAMES = ["local", "daytona", "modal"] as const;
export const SandboxProviderName = z.enum(SANDBOX_PROVIDER_NAMES, {
  error: `must be one of ${SANDBOX_PROVIDER_NAMES.join(", ")}`,
});
export type SandboxProviderName = z.infer<typeof SandboxProviderName>;

/** Per-repository overrides a tenant may keep: a generous bound, far above any real use. */
export const SANDBOX_REPOSITORY_OVERRIDES_MAX = 200;

/**
 * Which provider runs the tenant's sandboxes: a tenant default and per-repository overrides
 * (keys as secrets name repositories: `github:<owner>/<name>` lowercase, or `local:<path>`).
 * Unset, the deployment's SANDBOX_PROVIDER decides.
 */
export const SandboxSettings = z.strictObject({
  provider: SandboxProviderName.optional(),
  repositories: z
    .record(RepoKey, SandboxProviderName)
    .default({})
    .refine(
      (r) => Object.keys(r).length <= SANDBOX_REPOSITORY_OVERRIDES_MAX,
      `at most ${SANDBOX_REPOSITORY_OVERRIDES_MAX} repository overrides`,
    ),
});
export type SandboxSettings = z.infer<typeof SandboxSettings>;
// PUT /api/v1/tenants/:tenantId/settings/sandbox takes SandboxSettings: the whole choice, replaced.

/** GET (and the PUT's answer): the settings, what this deployment can run, and its default. */
export const SandboxSettingsView = z.object({
  settings: SandboxSettings,
  available: z.array(SandboxProviderName),
  /** SANDBOX_PROVIDER (default "local"); what sessions use where the tenant chose nothing. */
  deploymentDefault: z.string(),
  updatedAt: z.string().nullable(),
});
export type SandboxSettingsView = z.infer<typeof SandboxSettingsView>;
