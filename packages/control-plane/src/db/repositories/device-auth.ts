/**
 * Device sign-ins (`nightshift login`). Rows are found by the hash of a secret code, never by a
 * tenant: the tenant is what the approval decides. Every state change is one conditional UPDATE,
 * so two polls or two approvals racing cannot both win.
 */
import type { Role } from "@nightshift/protocol";
import { and, count, eq, gt, lt } from "drizzle-orm";
import type { Database } from "../client";
import { deviceAuthorizations } from "../schema";

export type DeviceAuthRow = typeof deviceAuthorizations.$inferSelect;

export async function insertDeviceAuthorization(
  db: Database,
  row: Omit<
    DeviceAuthRow,
    "lastPolledAt" | "tenantId" | "userId" | "role" | "keyExpiresInDays" | "decidedAt" | "status"
  >,
): Promise<void> {
  await db.insert(deviceAuthorizations).values({ ...row, status: "pending" });
}

/** How many sign-ins this requester started since `since` (ISO time). */
export async function countStartedSince(db: Database, requesterHash: string, since: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(deviceAuthorizations)
    .where(
      and(eq(deviceAuthorizations.requesterHash, requesterHash), gt(deviceAuthorizations.createdAt, since)),
    );
  return row?.n ?? 0;
}

/** Sign-ins past their expiry by more than the grace are of no use to anyone: drop them. */
export async function deleteExpiredBefore(db: Database, before: string): Promise<void> {
  await db.delete(deviceAuthorizations).where(lt(deviceAuthorizations.expiresAt, before));
}

export async function findByDeviceCodeHash(db: Database, hash: string): Promise<DeviceAuthRow | null> {
  const [row] = await db
    .select()
    .from(deviceAuthorizations)
    .where(eq(deviceAuthorizations.deviceCodeHash, hash))
    .limit(1);
  return row ?? null;
}

export async function findByUserCodeHash(db: Database, hash: string): Promise<DeviceAuthRow | null> {
  const [row] = await db
    .select()
    .from(deviceAuthorizations)
    .where(eq(deviceAuthorizations.userCodeHash, hash))
    .limit(1);
  return row ?? null;
}

/** Records a poll; `intervalSeconds` is the (possibly raised) interval from now on. */
export async function recordPoll(
  db: Database,
  id: string,
  at: number,
  intervalSeconds: number,
): Promise<void> {
  await db
    .update(deviceAuthorizations)
    .set({ lastPolledAt: at, intervalSeconds })
    .where(eq(deviceAuthorizations.id, id));
}

export interface Decision {
  status: "approved" | "denied";
  tenantId: string;
  userId: string;
  role: Role | null;
  keyExpiresInDays: number | null;
  decidedAt: string;
}

/** Approves or denies a sign-in that is still pending and unexpired; false if it no longer is. */
export async function decide(db: Database, id: string, decision: Decision): Promise<boolean> {
  const rows = await db
    .update(deviceAuthorizations)
    .set(decision)
    .where(
      and(
        eq(deviceAuthorizations.id, id),
        eq(deviceAuthorizations.status, "pending"),
        gt(deviceAuthorizations.expiresAt, decision.decidedAt),
      ),
    )
    .returning({ id: deviceAuthorizations.id });
  return rows.length === 1;
}

/** Marks an approved sign-in used: true for exactly one caller, the one that may mint the key. */
export async function consumeApproved(db: Database, id: string): Promise<boolean> {
  const rows = await db
    .update(deviceAuthorizations)
    .set({ status: "consumed" })
    .where(and(eq(deviceAuthorizations.id, id), eq(deviceAuthorizations.status, "approved")))
    .returning({ id: deviceAuthorizations.id });
  return rows.length === 1;
}
