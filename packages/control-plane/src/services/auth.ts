/**
 * Sign-in use cases: turn a verified GitHub profile (or the local dev identity) into a user, make
 * sure they have somewhere to work, open a sign-in row and record it in each of their tenants.
 */
import { ulid } from "ulid";
import { recordAudit } from "../audit/record";
import { type Database, openDatabase } from "../db/client";
import {
  addMember,
  createTenantWithOwner,
  ensureLocalIdentity,
  isTenantSlugTaken,
  listTenantsForUser,
} from "../db/repositories/tenancy";
import {
  deleteGithubUserToken,
  findLiveAuthSession,
  type GithubProfile,
  insertAuthSession,
  revokeAuthSession,
  saveGithubUserToken,
  type UserRow,
  upsertDevUser,
  upsertGithubUser,
} from "../db/repositories/users";
import type { Bindings } from "../env";
import { randomBytes } from "../secrets/encoding";
import { loadKeyring } from "../secrets/keyring";
import { sealUserToken } from "../secrets/user-token-vault";
import type { AuthConfig } from "../tenancy/auth-config";
import { exchangeCode, fetchProfile, type UserToken } from "../tenancy/github-oauth";
import { summarize, type UserSummary } from "../tenancy/principal";
import { SIGN_IN_MAX_AGE_S } from "../tenancy/session-cookie";

export interface SignIn {
  user: UserSummary;
  sid: string;
  /** The sign-in's absolute end (ISO): no refresh goes past it. */
  endsAt: string;
}

function newId(): string {
  return ulid().toLowerCase();
}

/** A slug for a personal tenant: the login, made slug-safe, with a random tail if it is taken. */
async function personalSlug(db: Database, login: string): Promise<string> {
  let base = login
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 30);
  if (base.length < 3) base = `${base || "user"}-team`;
  if (!(await isTenantSlugTaken(db, base))) return base;
  for (let i = 0; i < 5; i++) {
    const tail = [...randomBytes(3)].map((b) => (b % 36).toString(36)).join("");
    const candidate = `${base}-${tail}`;
    if (!(await isTenantSlugTaken(db, candidate))) return candidate;
  }
  return `${base}-${newId().slice(-10)}`;
}

async function openSignIn(db: Database, user: UserRow, method: "github" | "dev", now: Date): Promise<SignIn> {
  const sid = newId();
  const endsAt = new Date(now.getTime() + SIGN_IN_MAX_AGE_S * 1000).toISOString();
  await insertAuthSession(db, {
    id: sid,
    userId: user.id,
    method,
    createdAt: now.toISOString(),
    expiresAt: endsAt,
  });
  const actor = { userId: user.id, name: user.name, login: user.login, via: "session" as const };
  for (const tenant of await listTenantsForUser(db, user.id)) {
    await recordAudit(
      db,
      tenant.id,
      actor,
      { action: "auth.sign_in", target: { type: "user", id: user.id }, detail: { method } },
      now,
    );
  }
  return { user: summarize(user), sid, endsAt };
}

/** The OAuth callback's work once `state` matched: code → token → profile → user → sign-in. */
export async function completeGithubSignIn(
  env: Bindings,
  github: NonNullable<AuthConfig["github"]>,
  grant: { code: string; redirectUri: string; verifier: string },
): Promise<SignIn> {
  const userToken = await exchangeCode(github, grant);
  const signIn = await signInWithGithub(env, await fetchProfile(github, userToken.token));
  try {
    await keepGithubUserToken(env, signIn.user.id, userToken, Date.now());
  } catch (error) {
    // Sign-in still works; only PR attribution falls back to the App.
    console.log(
      JSON.stringify({
        source: "auth",
        message: `GitHub token not kept: ${error instanceof Error ? error.message : "unknown error"}`,
      }),
    );
  }
  return signIn;
}

/** Never longer than GitHub's App user tokens live, even when GitHub does not say (OAuth Apps). */
const MAX_USER_TOKEN_MS = 8 * 60 * 60 * 1000;

/**
 * Keeps the token so the user's pull requests are opened as them (ADR 0008). Without a secrets
 * keyring there is nowhere safe to keep it, so it is simply not kept.
 */
async function keepGithubUserToken(env: Bindings, userId: string, t: UserToken, now: number): Promise<void> {
  if (!env.SECRETS_MASTER_KEYS) return;
  const ring = await loadKeyring(env.SECRETS_MASTER_KEYS);
  const lifetime = Math.min(t.expiresIn ? t.expiresIn * 1000 : MAX_USER_TOKEN_MS, MAX_USER_TOKEN_MS);
  await saveGithubUserToken(openDatabase(env.DB), {
    userId,
    ...(await sealUserToken(ring, userId, t.token)),
    // A minute of margin: a token is never handed out right as GitHub expires it.
    expiresAt: now + lifetime - 60_000,
    createdAt: new Date(now).toISOString(),
  });
}

export async function signInWithGithub(env: Bindings, profile: GithubProfile): Promise<SignIn> {
  const db = openDatabase(env.DB);
  const now = new Date();
  const { user } = await upsertGithubUser(db, profile, newId());
  // Everyone gets a personal tenant the first time they have none, so sign-in always lands somewhere.
  if ((await listTenantsForUser(db, user.id)).length === 0) {
    const tenantId = newId();
    await createTenantWithOwner(db, tenantId, {
      slug: await personalSlug(db, user.login),
      name: user.login,
      ownerId: user.id,
      createdAt: now.toISOString(),
    });
    await recordAudit(
      db,
      tenantId,
      { userId: user.id, name: user.name, login: user.login, via: "session" },
      {
        action: "tenant.created",
        target: { type: "tenant", id: tenantId },
        detail: { personal: true },
      },
    );
  }
  return openSignIn(db, user, "github", now);
}

/**
 * Local mode's dev login: the local owner by default, or a named local user who joins the local
 * tenant as a member (useful to try roles). Callers have checked mode, flag and loopback.
 */
export async function signInAsDevUser(
  env: Bindings,
  input: { login?: string; name?: string },
): Promise<SignIn> {
  const db = openDatabase(env.DB);
  const now = new Date();
  const { tenantId, userId } = await ensureLocalIdentity(db);
  let user: UserRow;
  if (!input.login || input.login.toLowerCase() === "local") {
    user = await upsertDevUser(db, { id: userId, login: "local", name: input.name ?? "Local User" });
  } else {
    const login = `dev-${input.login.toLowerCase()}`;
    user = await upsertDevUser(db, { id: login, login, name: input.name ?? input.login });
    await addMember(db, tenantId, user.id, "member", now.toISOString());
  }
  return openSignIn(db, user, "dev", now);
}

/** Ends the sign-in and forgets the user's GitHub token: signing out also withdraws it from Nightshift. */
export async function signOut(env: Bindings, sid: string, userId: string): Promise<void> {
  const db = openDatabase(env.DB);
  await revokeAuthSession(db, sid, new Date().toISOString());
  await deleteGithubUserToken(db, userId);
}

/** The user of a sign-in that is still live (not signed out, not expired), or null. */
export async function liveSignInUser(env: Bindings, sid: string): Promise<string | null> {
  const live = await findLiveAuthSession(openDatabase(env.DB), sid, new Date().toISOString());
  return live?.user.id ?? null;
}
