/**
 * The schedule side of automations, for the API (part A) and the Worker's cron: arm a schedule's
 * Durable Object after a create, an update or a resume; disarm it after a delete or a pause.
 */
import type { Bindings } from "../../env";
import { type ArmResult, automationScheduleName } from "./automation-schedule";

export { nextFireAfter, validateSchedule } from "./cron";

function scheduleStub(env: Bindings, automationId: string) {
  return env.AUTOMATION_SCHEDULE.getByName(automationScheduleName(automationId));
}

/**
 * (Re)arms the automation's alarm from D1; an automation that is gone, paused or not a schedule
 * is disarmed instead, so calling this after any change is always right.
 */
export function scheduleAutomation(
  env: Bindings,
  tenantId: string,
  automationId: string,
): Promise<ArmResult> {
  return scheduleStub(env, automationId).arm({ tenantId, automationId });
}

/** Clears the alarm (the automation was deleted or paused). Automation ids are unique across tenants. */
export async function unscheduleAutomation(env: Bindings, automationId: string): Promise<void> {
  await scheduleStub(env, automationId).disarm(automationId);
}
