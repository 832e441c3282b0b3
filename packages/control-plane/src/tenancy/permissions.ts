/**
 * Who may do what: the single table of actions and the least role each needs. Route policies
 * and services both ask `authorize`, so a rule changes here or nowhere.
 *
 * member: create and drive their own sessions, watch every session of the tenant, manage their
 *         own API keys.
 * admin:  everything a member may, plus drive anyone's session, secrets, integrations, members
 *         (up to admin), every API key, the audit log.
 * owner:  everything, plus granting and revoking ownership and deleting the tenant.
 */
import type { Role } from "@nightshift/protocol";
import { AppError } from "../http/app-error";

const RANK: Record<Role, number> = { member: 1, admin: 2, owner: 3 };

export function roleAtLeast(role: Role, least: Role): boolean {
  return RANK[role] >= RANK[least];
}

export function lowerRole(a: Role, b: Role): Role {
  return RANK[a] <= RANK[b] ? a : b;
}

export const PERMISSIONS = {
  "tenant.read": "member",
  "tenant.delete": "owner",
  "session.create": "member",
  "session.read": "member",
  /** Prompting or stopping a session someone else created. Their own needs only session.create. */
  "session.drive_any": "admin",
  "member.read": "member",
  "member.manage": "admin",
  "owner.manage": "owner",
  "api_key.manage_own": "member",
  "api_key.read_all": "admin",
  "api_key.revoke_any": "admin",
  /** Setting and deleting one's own model accounts (used only for one's own sessions). */
  "model_account.manage_own": "member",
  "secret.read": "admin",
  "secret.manage": "admin",
  "integration.manage": "admin",
  /** Connecting or disconnecting a GitHub App installation grants repositories to the whole tenant. */
  "github.connect": "owner",
  "audit.read": "admin",
  /** Tenant settings such as the sandbox egress allow-list; members may read them. */
  "settings.manage": "admin",
  /** Automations start sessions unattended as the member who set them up: admins manage, members read. */
  "automation.read": "member",
  "automation.manage": "admin",
} as const satisfies Record<string, Role>;

export type Action = keyof typeof PERMISSIONS;

export function can(role: Role, action: Action): boolean {
  return roleAtLeast(role, PERMISSIONS[action]);
}

/** Throws 403 naming the role needed; callers have already proven tenant membership (else 404). */
export function authorize(actor: { role: Role }, action: Action): void {
  if (!can(actor.role, action)) {
    throw new AppError(
      "forbidden",
      `your role (${actor.role}) cannot ${action.replace(/[._]/g, " ")}; ask a tenant ${PERMISSIONS[action]} to do it or to raise your role`,
    );
  }
}
