/**
 * The Worker's cron work (wrangler.toml `[triggers]`): repair sessions stuck on their way to a
 * sandbox, and prune webhook deliveries and trigger keys past their TTL. Each job is bounded
 * per run and isolated: one failing never stops the other.
 */
import { repairLostSchedules } from "../automations/schedule/repair";
import { openDatabase } from "../db/client";
import { pruneWebhookRecords } from "../db/webhook-deliveries";
import type { Bindings } from "../env";
import { sweepDaytonaSandboxes, sweepDaytonaSnapshotOrphans } from "../providers/daytona/daytona-sweep";
import { sweepModalSandboxes, sweepModalSnapshotOrphans } from "../providers/modal/modal-sweep";
import { sweepStuckSessions } from "./stuck-sessions";

/** GitHub redelivers for a few days at most; a week covers manual "Redeliver" too. */
export const WEBHOOK_RECORD_TTL_MS = 7 * 24 * 60 * 60_000;
export const PRUNE_BATCH = 500;
/** At most this many batches per run; the next run continues. */
export const PRUNE_MAX_BATCHES = 20;

export async function pruneWebhookHistory(env: Bindings, now: number): Promise<number> {
  const db = openDatabase(env.DB);
  let total = 0;
  for (let i = 0; i < PRUNE_MAX_BATCHES; i++) {
    const removed = await pruneWebhookRecords(db, now - WEBHOOK_RECORD_TTL_MS, PRUNE_BATCH);
    total += removed;
    if (removed === 0) break;
  }
  return total;
}

export async function runScheduledMaintenance(env: Bindings, now: number): Promise<void> {
  const [sweep, prune, daytona, daytonaSnapshots, modal, modalSnapshots, schedules] =
    await Promise.allSettled([
      sweepStuckSessions(env, now),
      pruneWebhookHistory(env, now),
      sweepDaytonaSandboxes(env, now),
      sweepDaytonaSnapshotOrphans(env, now),
      sweepModalSandboxes(env, now),
      sweepModalSnapshotOrphans(env, now),
      repairLostSchedules(env, now),
    ]);
  console.log(
    JSON.stringify({
      level: "info",
      event: "maintenance.ran",
      stuckSessions: sweep.status === "fulfilled" ? sweep.value : { error: String(sweep.reason) },
      webhookRecordsPruned: prune.status === "fulfilled" ? prune.value : null,
      daytonaSandboxes: daytona.status === "fulfilled" ? daytona.value : { error: String(daytona.reason) },
      daytonaSnapshots:
        daytonaSnapshots.status === "fulfilled"
          ? daytonaSnapshots.value
          : { error: String(daytonaSnapshots.reason) },
      modalSandboxes: modal.status === "fulfilled" ? modal.value : { error: String(modal.reason) },
      modalSnapshots:
        modalSnapshots.status === "fulfilled"
          ? modalSnapshots.value
          : { error: String(modalSnapshots.reason) },
      automationSchedules:
        schedules.status === "fulfilled" ? schedules.value : { error: String(schedules.reason) },
    }),
  );
}
