/**
 * The two runs a person asks for from the API: "run now" (a real run, with an optional sample
 * payload for webhook automations; paused ones too — someone asked for it) and the payload tester
 * (a dry run: the same evaluation a delivery gets, nothing recorded, nothing started).
 */
import type {
  AutomationRunNowRequest,
  AutomationRunNowResponse,
  AutomationTestRequest,
  AutomationTestResult,
} from "@nightshift/protocol";
import { ulid } from "ulid";
import { openDatabase } from "../db/client";
import type { Actor, Bindings } from "../env";
import { evaluateAutomation } from "./evaluate";
import { startAutomationRun } from "./run";
import { schedulePayload } from "./schedule/policy";
import { requireAutomation } from "./service";

export async function manualRun(
  env: Bindings,
  actor: Actor,
  id: string,
  body: AutomationRunNowRequest,
): Promise<AutomationRunNowResponse> {
  const automation = await requireAutomation(openDatabase(env.DB), actor.tenantId, id);
  const now = new Date();
  const { retryAfterSeconds: _, ...run } = await startAutomationRun(
    env,
    {
      automation,
      triggerId: `manual:${ulid(now.getTime()).toLowerCase()}`,
      // A schedule's template reads the payload its fires get (payload.scheduledFor, ...): now.
      payload:
        body.payload ??
        (automation.trigger.kind === "schedule" ? schedulePayload(automation.trigger, now, now) : {}),
      trigger: automation.trigger.kind === "schedule" ? "schedule" : "webhook",
    },
    now,
  );
  return run.sessionId ? { run, sessionId: run.sessionId } : { run };
}

export async function testAutomation(
  env: Bindings,
  actor: Actor,
  id: string,
  body: AutomationTestRequest,
): Promise<AutomationTestResult> {
  const automation = await requireAutomation(openDatabase(env.DB), actor.tenantId, id);
  const result = evaluateAutomation(automation, body.payload);
  switch (result.kind) {
    case "run":
      return { matched: true, prompt: result.prompt, repo: result.repoLabel };
    case "skip":
      return { matched: false, reason: result.reason };
    case "fail":
      return {
        matched: false,
        reason: result.reason,
        error: {
          message: result.reason,
          ...(result.position !== undefined ? { position: result.position } : {}),
        },
      };
  }
}
