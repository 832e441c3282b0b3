/**
 * The scheduler's one write of its own to the automations table (the rest is automations.ts and
 * automation-runs.ts): a schedule's next fire time, once its Durable Object armed it.
 */
import { and, eq } from "drizzle-orm";
import type { Database } from "../client";
import { automations } from "../schema";

export async function setScheduleNextRunAt(
  db: Database,
  tenantId: string,
  automationId: string,
  nextRunAt: string | null,
): Promise<void> {
  await db
    .update(automations)
    .set({ nextRunAt })
    .where(and(eq(automations.tenantId, tenantId), eq(automations.id, automationId)));
}
