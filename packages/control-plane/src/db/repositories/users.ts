/** Users and their browser sign-ins. Users are not tenant-owned: a user may belong to many tenants. */
import { and, eq, gt, isNull, ne } from "drizzle-orm";
import { ulid } from "ulid";
import type { Database } from "../client";
import { authSessions, githubUserTokens, users } from "../schema";

export type UserRow = typeof users.$inferSelect;
export type AuthSessionRow = typeof authSessions.$inferSelect;

export async function findUser(db: Database, userId: string): Promise<UserRow | null> {
  return (await db.query.users.findFirst({ where: eq(users.id, userId) })) ?? null;
}

export async function findUserByLogin(db: Database, login: string): Promise<UserRow | null> {
  return (await db.query.users.findFirst({ where: eq(users.login, login) })) ?? null;
}

export interface GithubProfile {
  githubId: number;
  login: string;
  name: string;
  email: string;
  avatarUrl: string | null;
}

/**
 * Finds or creates the user GitHub vouched for, matching on GitHub's numeric id (logins can be
 * renamed and reused). If another row still holds this login from before a rename, it gives the
 * login up first so the unique index stays true.
 */
export async function upsertGithubUser(
  db: Database,
  profile: GithubProfile,
  newId: string,
): Promise<{ user: UserRow; created: boolean }> {
  const existing = await db.query.users.findFirst({ where: eq(users.githubId, profile.githubId) });
  const stale = await db.query.users.findFirst({
    where: and(eq(users.login, profile.login), existing ? ne(users.id, existing.id) : undefined),
  });
  if (stale) {
    await db
      .update(users)
      .set({ login: `${stale.login}~${stale.id.slice(-8)}` })
      .where(eq(users.id, stale.id));
  }
  const fields = {
    login: profile.login,
    name: profile.name,
    email: profile.email,
    avatarUrl: profile.avatarUrl,
  };
  if (existing) {
    const [row] = await db.update(users).set(fields).where(eq(users.id, existing.id)).returning();
    if (!row) throw new Error("update of users returned no row");
    return { user: row, created: false };
  }
  const [row] = await db
    .insert(users)
    .values({ id: newId, githubId: profile.githubId, ...fields })
    .returning();
  if (!row) throw new Error("insert into users returned no row");
  return { user: row, created: true };
}

/** A local-mode user for the dev login; never linked to GitHub. */
export async function upsertDevUser(
  db: Database,
  input: { id: string; login: string; name: string },
): Promise<UserRow> {
  const [row] = await db
    .insert(users)
    .values({ ...input, email: `${input.login}@nightshift.invalid` })
    .onConflictDoUpdate({ target: users.id, set: { name: input.name } })
    .returning();
  if (!row) throw new Error("upsert of users returned no row");
  return row;
}

export async function insertAuthSession(db: Database, row: Omit<AuthSessionRow, "revokedAt">) {
  await db.insert(authSessions).values(row);
}

/** The sign-in and its user when the sign-in is neither revoked nor past its absolute end. */
export async function findLiveAuthSession(
  db: Database,
  sessionId: string,
  now: string,
): Promise<{ session: AuthSessionRow; user: UserRow } | null> {
  const [row] = await db
    .select({ session: authSessions, user: users })
    .from(authSessions)
    .innerJoin(users, eq(users.id, authSessions.userId))
    .where(
      and(eq(authSessions.id, sessionId), isNull(authSessions.revokedAt), gt(authSessions.expiresAt, now)),
    )
    .limit(1);
  return row ?? null;
}

export async function revokeAuthSession(db: Database, sessionId: string, now: string): Promise<void> {
  await db
    .update(authSessions)
    .set({ revokedAt: now })
    .where(and(eq(authSessions.id, sessionId), isNull(authSessions.revokedAt)));
}

/**
 * The user behind a GitHub event: the existing row for this GitHub id (a member who signed in),
 * else a new user with no memberships, so the session can name who asked.
 */
export async function ensureGithubUser(
  db: Database,
  who: { githubId: number; login: string },
): Promise<UserRow> {
  const existing = await db.query.users.findFirst({ where: eq(users.githubId, who.githubId) });
  if (existing) return existing;
  const { user } = await upsertGithubUser(
    db,
    {
      githubId: who.githubId,
      login: who.login,
      name: who.login,
      email: `${who.githubId}+${who.login}@users.noreply.github.com`,
      avatarUrl: null,
    },
    ulid().toLowerCase(),
  );
  return user;
}

export type GithubUserTokenRow = typeof githubUserTokens.$inferSelect;

export async function saveGithubUserToken(db: Database, row: GithubUserTokenRow): Promise<void> {
  const { userId, ...rest } = row;
  await db
    .insert(githubUserTokens)
    .values(row)
    .onConflictDoUpdate({ target: githubUserTokens.userId, set: rest });
}

/** The user's stored token if it is still valid at `now`. */
export async function findGithubUserToken(
  db: Database,
  userId: string,
  now: number,
): Promise<GithubUserTokenRow | null> {
  const row = await db.query.githubUserTokens.findFirst({ where: eq(githubUserTokens.userId, userId) });
  return row && row.expiresAt > now ? row : null;
}

export async function deleteGithubUserToken(db: Database, userId: string): Promise<void> {
  await db.delete(githubUserTokens).where(eq(githubUserTokens.userId, userId));
}
