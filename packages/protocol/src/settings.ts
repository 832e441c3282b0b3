/**
 * Tenant settings: what owners and admins configure for every session of the tenant, and members
 * may read. Today the egress allow-list: hosts the tenant's sandboxes may reach through the
 * sandbox host's egress proxy on top of what a session needs (model API, git host, registries).
 */
import { z } from "zod";
import { EGRESS_ALLOW_HOSTS_MAX, EgressHostPattern } from "./sandbox-host.ts";

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
