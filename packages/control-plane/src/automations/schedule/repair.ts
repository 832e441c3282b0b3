/**
 * The Worker cron's part in schedules: repair only. Each schedule fires from its own Durable
 * Object's alarm; this finds the schedules whose next fire time passed more than REPAIR_AFTER_MS
 * ago (their DO lost the alarm, or the service was down over it) and re-arms them. Re-arming
 * records the missed fire as a skipped run and moves the schedule to its next fire time: the
 * repair never fires a schedule itself, so an outage ends without a burst of runs.
 */
import { openDatabase } from "../../db/client";
import { listSchedules } from "../../db/repositories/automations";
import type { Bindings } from "../../env";
import { scheduleAutomation } from "./index";
import { REPAIR_AFTER_MS } from "./policy";

/** Schedules re-armed per page; the pages of one run are bounded, the next run goes on. */
export const REPAIR_PAGE = 100;
export const REPAIR_MAX_PAGES = 10;

export interface ScheduleRepairResult {
  rearmed: number;
  errors: number;
}

export async function repairLostSchedules(env: Bindings, now: number): Promise<ScheduleRepairResult> {
  const db = openDatabase(env.DB);
  const dueBefore = new Date(now - REPAIR_AFTER_MS).toISOString();
  const result: ScheduleRepairResult = { rearmed: 0, errors: 0 };
  let cursor: string | undefined;
  for (let page = 0; page < REPAIR_MAX_PAGES; page++) {
    const { automations, nextCursor } = await listSchedules(db, {
      dueBefore,
      limit: REPAIR_PAGE,
      ...(cursor ? { cursor } : {}),
    });
    const outcomes = await Promise.allSettled(
      automations.map((a) => scheduleAutomation(env, a.tenantId, a.id)),
    );
    outcomes.forEach((outcome, i) => {
      if (outcome.status === "fulfilled") {
        result.rearmed++;
        return;
      }
      result.errors++;
      console.error(
        JSON.stringify({
          level: "error",
          event: "automation.schedule_repair_failed",
          automationId: automations[i]?.id,
          error: outcome.reason instanceof Error ? outcome.reason.message : "unknown error",
        }),
      );
    });
    if (!nextCursor) break;
    cursor = nextCursor;
  }
  return result;
}
