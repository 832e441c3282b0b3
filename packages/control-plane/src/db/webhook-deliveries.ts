/** Webhook delivery ids seen (replay protection). Outside repositories/ because a delivery is deduplicated before its tenant is known; see the report. */

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
