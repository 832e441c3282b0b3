/** Tenant use cases: list mine, create one (I own it), read one, delete one (owners only, by policy). */
import type { CreateTenantRequest, ListTenantsResponse, Tenant, TenantWithRole } from "@nightshift/protocol";
import { ulid } from "ulid";
import { z } from "zod";
import { recordAudit } from "../audit/record";
import { type Database, openDatabase } from "../db/client";
import {
  createTenantWithOwner,
  deleteTenant as deleteTenantRow,
  getTenant,
  isTenantSlugTaken,
  listTenantsForUser,
  type TenantRow,
} from "../db/repositories/tenancy";
import type { Actor, Bindings } from "../env";
import { AppError } from "../http/app-error";
import type { Principal } from "../tenancy/principal";
import { requireSessionsStopped } from "./session-revocation";

export const DEFAULT_MAX_TENANTS_PER_USER = 10;
/** The owned-tenant cap frees only when a tenant is deleted: tell clients not to retry sooner than this. */
const TENANT_LIMIT_RETRY_AFTER_S = 3600;

function maxTenantsPerUser(env: Bindings): number {
  const raw = env.MAX_TENANTS_PER_USER?.trim();
  if (!raw) return DEFAULT_MAX_TENANTS_PER_USER;
  const parsed = z.coerce.number().int().min(1).max(10_000).safeParse(raw);
  if (!parsed.success) throw new Error("MAX_TENANTS_PER_USER must be a whole number from 1 to 10000");
  return parsed.data;
}

/** One person may own only so many tenants, so nobody can mint tenants to multiply per-tenant limits. */
async function requireRoomForAnotherTenant(env: Bindings, db: Database, userId: string): Promise<void> {
  const max = maxTenantsPerUser(env);
  const owned = (await listTenantsForUser(db, userId)).filter((t) => t.role === "owner").length;
  if (owned < max) return;
  throw new AppError(
    "rate_limited",
    `you already own ${owned} tenants, the most one person may own (${max}); delete a tenant you no longer need, then try again`,
    undefined,
    { "retry-after": String(TENANT_LIMIT_RETRY_AFTER_S) },
  );
}

function toTenant(row: TenantRow): Tenant {
  return { id: row.id, slug: row.slug, name: row.name, createdAt: row.createdAt };
}

function requireUser(principal: Principal): Extract<Principal, { kind: "session" }> {
  if (principal.kind !== "session") {
    throw new AppError("forbidden", "an API key acts inside its own tenant only; sign in to manage tenants");
  }
  return principal;
}

export async function listMyTenants(env: Bindings, principal: Principal): Promise<ListTenantsResponse> {
  const db = openDatabase(env.DB);
  if (principal.kind === "api_key") {
    const tenant = await getTenant(db, principal.key.tenantId);
    return { tenants: tenant ? [{ ...toTenant(tenant), role: principal.key.role }] : [] };
  }
  const rows = await listTenantsForUser(db, principal.user.id);
  return { tenants: rows.map((r) => ({ ...toTenant(r), role: r.role })) };
}

export async function createTenant(
  env: Bindings,
  principal: Principal,
  req: CreateTenantRequest,
): Promise<TenantWithRole> {
  const { user } = requireUser(principal);
  const db = openDatabase(env.DB);
  await requireRoomForAnotherTenant(env, db, user.id);
  if (await isTenantSlugTaken(db, req.slug)) {
    throw new AppError("conflict", `the slug '${req.slug}' is taken; choose another`);
  }
  const id = ulid().toLowerCase();
  const now = new Date().toISOString();
  let row: TenantRow;
  try {
    row = await createTenantWithOwner(db, id, {
      slug: req.slug,
      name: req.name,
      ownerId: user.id,
      createdAt: now,
    });
  } catch (err) {
    // Lost a race for the same slug: the unique index decided.
    if (err instanceof Error && /UNIQUE/i.test(`${err.message} ${String(err.cause ?? "")}`)) {
      throw new AppError("conflict", `the slug '${req.slug}' is taken; choose another`);
    }
    throw err;
  }
  await recordAudit(
    db,
    id,
    { userId: user.id, name: user.name, login: user.login, via: "session" },
    {
      action: "tenant.created",
      target: { type: "tenant", id },
      detail: { slug: req.slug },
    },
  );
  return { ...toTenant(row), role: "owner" };
}

export async function readTenant(env: Bindings, actor: Actor): Promise<TenantWithRole> {
  const row = await getTenant(openDatabase(env.DB), actor.tenantId);
  if (!row) throw AppError.notFound("tenant");
  return { ...toTenant(row), role: actor.role };
}

/** Deletes the tenant and, by cascade, everything it owns in D1 (its audit log included). */
export async function deleteTenant(env: Bindings, actor: Actor): Promise<void> {
  // First, while the session rows still exist: stop every live session and its sandbox. A
  // session that cannot be stopped now keeps the tenant (503), so nothing is left running.
  await requireSessionsStopped(env, actor.tenantId, { kind: "tenant" });
  await deleteTenantRow(openDatabase(env.DB), actor.tenantId);
  // The tenant's audit log goes with it, so the deletion is recorded in the Worker log instead.
  console.log(
    JSON.stringify({ level: "info", event: "tenant.deleted", tenantId: actor.tenantId, by: actor.userId }),
  );
}
