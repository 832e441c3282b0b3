/** Webhook delivery ids seen (replay protection). Outside repositories/ because a delivery is deduplicated before its tenant is known; see the report. */

import { eq } from "drizzle-orm";
import type { Database } from "./client";
import { githubWebhookDeliveries } from "./schema";

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
