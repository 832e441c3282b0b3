/**
 * Webhook delivery ids seen (replay protection) and the payload keys triggers acted on
 * (idempotency across delivery ids). Outside repositories/ because a delivery is deduplicated
 * before its tenant is known. Both tables are pruned by age on the schedule.
 */

import { eq, inArray, lt } from "drizzle-orm";
import type { Database } from "./client";
import { githubTriggerKeys, githubWebhookDeliveries } from "./schema";

/** Records the delivery; false when it was seen before (a redelivery or a replay). */
export async function claimDelivery(
  db: Database,
  deliveryId: string,
  event: string,
  now: number,
): Promise<boolean> {
  const inserted = await db
    .insert(githubWebhookDeliveries)
    .values({ deliveryId, event, receivedAt: now })
    .onConflictDoNothing()
    .returning({ id: githubWebhookDeliveries.deliveryId });
  return inserted.length > 0;
}

/** Forgets a delivery whose work failed, so GitHub's redelivery of it is processed, not skipped. */
export async function releaseDelivery(db: Database, deliveryId: string): Promise<void> {
  await db.delete(githubWebhookDeliveries).where(eq(githubWebhookDeliveries.deliveryId, deliveryId));
}

/** Records that a trigger acts on `key` (e.g. a comment id); false when one already did. */
export async function claimTriggerKey(db: Database, key: string, now: number): Promise<boolean> {
  const inserted = await db
    .insert(githubTriggerKeys)
    .values({ key, claimedAt: now })
    .onConflictDoNothing()
    .returning({ key: githubTriggerKeys.key });
  return inserted.length > 0;
}

/** Forgets a trigger key whose work failed, so the event may be acted on when it comes again. */
export async function releaseTriggerKey(db: Database, key: string): Promise<void> {
  await db.delete(githubTriggerKeys).where(eq(githubTriggerKeys.key, key));
}

/**
 * Deletes up to `batch` deliveries and up to `batch` trigger keys recorded before `before`
 * (epoch ms); returns how many rows went. Bounded, so one run never holds D1 for long.
 */
export async function pruneWebhookRecords(db: Database, before: number, batch: number): Promise<number> {
  const deliveries = await db
    .delete(githubWebhookDeliveries)
    .where(
      inArray(
        githubWebhookDeliveries.deliveryId,
        db
          .select({ id: githubWebhookDeliveries.deliveryId })
          .from(githubWebhookDeliveries)
          .where(lt(githubWebhookDeliveries.receivedAt, before))
          .limit(batch),
      ),
    )
    .returning({ id: githubWebhookDeliveries.deliveryId });
  const keys = await db
    .delete(githubTriggerKeys)
    .where(
      inArray(
        githubTriggerKeys.key,
        db
          .select({ key: githubTriggerKeys.key })
          .from(githubTriggerKeys)
          .where(lt(githubTriggerKeys.claimedAt, before))
          .limit(batch),
      ),
    )
    .returning({ key: githubTriggerKeys.key });
  return deliveries.length + keys.length;
}
