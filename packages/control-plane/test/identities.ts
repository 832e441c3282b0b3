/**
 * Test identities built through the real code paths: tenants, users with a role, API keys made
 * by the API-key service, and session cookies signed like a real sign-in. Each call makes fresh
 * ids, so tests never share a tenant by accident.
 */
import { env } from "cloudflare:workers";
import type { Role } from "@nightshift/protocol";
import { ulid } from "ulid";
import { openDatabase } from "../src/db/client";
import { addMember, createTenantWithOwner, ensureLocalIdentity } from "../src/db/repositories/tenancy";
import { insertAuthSession, upsertDevUser } from "../src/db/repositories/users";
import type { Actor, Bindings } from "../src/env";
import { createApiKey } from "../src/services/api-keys";
import { SIGN_IN_MAX_AGE_S, sessionCookieName, signSessionToken } from "../src/tenancy/session-cookie";

/** The origin the tests' requests come from (http://nightshift.test is not loopback: cookies are __Host-). */
export const ORIGIN = "http://nightshift.test";

export interface Identity {
  tenantId: string;
  slug: string;
  userId: string;
  login: string;
  role: Role;
  /** A full API key with this identity's role. */
  apiKey: string;
  /** Headers that authenticate with the API key. */
  bearer: Record<string, string>;
}

function id(): string {
  return ulid().toLowerCase();
}

async function newUser(label: string) {
  const userId = `u-${id()}`;
  return upsertDevUser(openDatabase(env.DB), {
    id: userId,
    login: `${label}-${userId.slice(-10)}`,
    name: label,
  });
}

async function issueKey(actor: Actor): Promise<string> {
  const { key } = await createApiKey(env, { ...actor, via: "session" }, { name: `test key ${actor.role}` });
  return key;
}

export async function identityFor(
  tenant: { id: string; slug: string },
  user: { id: string; login: string; name: string },
  role: Role,
): Promise<Identity> {
  const apiKey = await issueKey({
    tenantId: tenant.id,
    userId: user.id,
    role,
    name: user.name,
    login: user.login,
  });
  return {
    tenantId: tenant.id,
    slug: tenant.slug,
    userId: user.id,
    login: user.login,
    role,
    apiKey,
    bearer: { authorization: `Bearer ${apiKey}` },
  };
}

/** A fresh tenant and its owner. */
export async function createTenant(label = "t"): Promise<Identity> {
  const db = openDatabase(env.DB);
  const owner = await newUser(`${label}-owner`);
  const tenantId = id();
  const slug = `${label}-${tenantId.slice(-12)}`;
  await createTenantWithOwner(db, tenantId, {
    slug,
    name: label,
    ownerId: owner.id,
    createdAt: new Date().toISOString(),
  });
  return identityFor({ id: tenantId, slug }, owner, "owner");
}

/** Another user in an existing tenant, with the given role. */
export async function joinTenant(
  tenant: Pick<Identity, "tenantId" | "slug">,
  role: Role,
  label = role,
): Promise<Identity> {
  const user = await newUser(label);
  await addMember(openDatabase(env.DB), tenant.tenantId, user.id, role, new Date().toISOString());
  return identityFor({ id: tenant.tenantId, slug: tenant.slug }, user, role);
}

/** The local tenant's owner (what the dev login signs in as), with an API key: the default caller. */
export async function localOwner(): Promise<Identity> {
  const { tenantId, userId } = await ensureLocalIdentity(openDatabase(env.DB));
  return identityFor(
    { id: tenantId, slug: "local" },
    { id: userId, login: "local", name: "Local User" },
    "owner",
  );
}

/**
 * Headers of a signed-in browser: the session cookie (as a real sign-in sets it) and this site's
 * Origin, which cookie-authenticated writes need.
 */
export async function browserHeaders(userId: string): Promise<{ cookie: string; origin: string }> {
  const db = openDatabase(env.DB);
  const sid = id();
  const now = new Date();
  await insertAuthSession(db, {
    id: sid,
    userId,
    method: "dev",
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + SIGN_IN_MAX_AGE_S * 1000).toISOString(),
  });
  // Test-only binding from vitest.config.ts; wrangler's generated Env does not list secrets.
  const key = new TextEncoder().encode((env as unknown as Bindings).SESSION_SECRET);
  const { token } = await signSessionToken(key, { userId, sid }, Math.floor(now.getTime() / 1000));
  return { cookie: `${sessionCookieName(true)}=${token}`, origin: ORIGIN };
}
