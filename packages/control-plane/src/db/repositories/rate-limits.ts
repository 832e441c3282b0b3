/**
 * GCRA state in D1. One UPSERT per attempt decides and records it: SQLite runs each statement
 * atomically, so concurrent requests on the same bucket can never be admitted past the limit.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../client";
import { rateLimits } from "../schema";

export interface GcraParams {
  now: number;
  /** Milliseconds of budget one request costs (period / rate). */
  intervalMs: number;
  /** How far the theoretical arrival time may run ahead of now: interval × burst. */
  toleranceMs: number;
}

/** Admits one request if the bucket allows it; otherwise reports when it next would. */
export async function takeRateLimitToken(
  db: Database,
  tenantId: string,
  bucket: string,
  p: GcraParams,
): Promise<{ allowed: true } | { allowed: false; retryAfterMs: number }> {
  const admitted = await db
    .insert(rateLimits)
    .values({ tenantId, bucket, tat: p.now + p.intervalMs })
    .onConflictDoUpdate({
      target: [rateLimits.tenantId, rateLimits.bucket],
      set: { tat: sql`max(${rateLimits.tat}, ${p.now}) + ${p.intervalMs}` },
      setWhere: sql`max(${rateLimits.tat}, ${p.now}) + ${p.intervalMs} - ${p.now} <= ${p.toleranceMs}`,
    })
    .returning({ tat: rateLimits.tat });
  if (admitted.length > 0) return { allowed: true };
  const row = await db.query.rateLimits.findFirst({
    where: and(eq(rateLimits.tenantId, tenantId), eq(rateLimits.bucket, bucket)),
  });
  const tat = row?.tat ?? p.now;
  return {
    allowed: false,
    retryAfterMs: Math.max(0, Math.max(tat, p.now) + p.intervalMs - p.now - p.toleranceMs),
  };
}
