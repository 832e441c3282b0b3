/**
 * Picks the tenant of a /api/v1 request and proves the caller belongs to it, once, for every
 * tenant-scoped handler: from the path (`/api/v1/tenants/:tenant/...`), else the
 * `X-Nightshift-Tenant` header, else the API key's tenant or the user's only tenant. A tenant the
 * caller does not belong to is reported exactly like one that does not exist: 404.
 */
import { TENANT_HEADER } from "@nightshift/protocol";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { openDatabase } from "../db/client";
import { findTenantForUser, getTenant, listTenantsForUser } from "../db/repositories/tenancy";
import type { Actor, AppEnv } from "../env";
import { AppError } from "../http/app-error";
import type { Principal } from "./principal";

const TENANT_IN_PATH = /^\/api\/v1\/tenants\/([^/]+)(?:\/|$)/;
const TENANT_REF = /^[A-Za-z0-9-]{1,64}$/;

function tenantNotFound(ref: string): AppError {
  return AppError.notFound(`tenant '${ref.slice(0, 64)}'`);
}

/** The tenant the request names, if any: path first (it is what the URL means), then the header. */
export function tenantSelector(c: Context): string | undefined {
  const fromPath = TENANT_IN_PATH.exec(c.req.path)?.[1];
  if (fromPath !== undefined) {
    try {
      return decodeURIComponent(fromPath);
    } catch {
      return fromPath; // malformed escapes fail the shape check and read as "not found"
    }
  }
  return c.req.header(TENANT_HEADER)?.trim() || undefined;
}

async function actorForApiKey(
  c: Context<AppEnv>,
  principal: Extract<Principal, { kind: "api_key" }>,
  ref: string | undefined,
): Promise<Actor> {
  const { key, user } = principal;
  if (ref !== undefined && ref !== key.tenantId) {
    const tenant = await getTenant(openDatabase(c.env.DB), key.tenantId);
    if (tenant?.slug !== ref) throw tenantNotFound(ref);
  }
  return {
    tenantId: key.tenantId,
    userId: user.id,
    role: key.role,
    name: user.name,
    login: user.login,
    via: "api_key",
    apiKeyId: key.id,
  };
}

async function actorForUser(
  c: Context<AppEnv>,
  principal: Extract<Principal, { kind: "session" }>,
  ref: string | undefined,
): Promise<Actor> {
  const db = openDatabase(c.env.DB);
  const { user } = principal;
  let tenant: { id: string; role: Actor["role"] } | null;
  if (ref !== undefined) {
    tenant = await findTenantForUser(db, user.id, ref);
    if (!tenant) throw tenantNotFound(ref);
  } else {
    const all = await listTenantsForUser(db, user.id);
    if (all.length !== 1) {
      throw new AppError(
        all.length === 0 ? "not_found" : "invalid_request",
        all.length === 0
          ? "you belong to no tenant yet; create one with POST /api/v1/tenants or ask an admin to add you"
          : `you belong to ${all.length} tenants; name one with the ${TENANT_HEADER} header or a /api/v1/tenants/<tenant>/... path`,
      );
    }
    tenant = all[0] ?? null;
  }
  if (!tenant) throw tenantNotFound(ref ?? "");
  return {
    tenantId: tenant.id,
    userId: user.id,
    role: tenant.role,
    name: user.name,
    login: user.login,
    via: "session",
    apiKeyId: null,
  };
}

export const resolveTenant = createMiddleware<AppEnv>(async (c, next) => {
  const principal = c.var.principal;
  const ref = tenantSelector(c);
  if (ref !== undefined && !TENANT_REF.test(ref)) throw tenantNotFound(ref);
  c.set(
    "actor",
    principal.kind === "api_key"
      ? await actorForApiKey(c, principal, ref)
      : await actorForUser(c, principal, ref),
  );
  await next();
});
