/**
 * One run of an automation (a delivery, a schedule's fire, "run now"): evaluate the payload, apply
 * the automation's limits, claim the trigger id (a replay is a duplicate), and start the session
 * through services/sessions.ts as the acting member — the same write check, agent choice and
 * budget as every other entry point. Every outcome is a row in the run history; a per-run failure
 * is an outcome ("failed" with the reason), never a throw.
 */
import type { Automation, AutomationRun } from "@nightshift/protocol";
import { ulid } from "ulid";
import { openDatabase } from "../db/client";
import {
  type ClaimedRun,
  claimRunWithChecks,
  insertRun,
  insertRunAndMark,
  type NewRun,
  settleRun,
} from "../db/repositories/automation-runs";
import type { Actor, Bindings } from "../env";
import { AppError } from "../http/app-error";
import { createSession, newSessionId } from "../services/sessions";
import { type Evaluation, evaluateAutomation } from "./evaluate";

export type RunRequest = {
  automation: Automation;
  triggerId: string;
  payload: unknown;
  trigger: "webhook" | "schedule";
  /**
   * Given (a webhook, `waitUntil`): the run answers as soon as it is claimed and within its limits,
   * with a session id allocated for it, and the session is created after the answer — a sender
   * waits milliseconds, not for the write check. The caller decides when `work` starts (after the
   * answer has left). A creation that fails settles the run as failed.
   */
  defer?: (work: () => Promise<unknown>) => void;
};

/** A run, and for a rate-limited one how long until it could start (the delivery's Retry-After). */
export type StartedRun = AutomationRun & { retryAfterSeconds?: number };

const HOUR_MS = 60 * 60 * 1000;
/** A guess for a run refused by the concurrency limit: sessions take minutes, not seconds. */
const CONCURRENCY_RETRY_SECONDS = 60;
const REASON_MAX = 500;
/** A started run whose session is not there yet counts as running for this long (its creation may have died). */
const PENDING_WINDOW_MS = 10 * 60 * 1000;

type Db = ReturnType<typeof openDatabase>;

function newRun(automation: Automation, run: Omit<NewRun, "id" | "automationId">): NewRun {
  return {
    ...run,
    ...(run.reason ? { reason: run.reason.slice(0, REASON_MAX) } : {}),
    id: ulid(Date.parse(run.at)).toLowerCase(),
    automationId: automation.id,
  };
}

/** A replay: recorded as its own run, holding no trigger id, leaving the automation's last run alone. */
async function recordDuplicate(db: Db, automation: Automation, at: string, triggerId: string) {
  const duplicate = await insertRun(
    db,
    automation.tenantId,
    newRun(automation, {
      at,
      triggerId,
      outcome: "duplicate",
      reason: "this delivery was already received",
      claim: false,
    }),
  );
  if (!duplicate) throw new Error("recording a duplicate automation run returned no row");
  return duplicate;
}

/** Records an outcome that is final at once (skipped, failed); a lost claim is a duplicate. */
async function recordOutcome(
  db: Db,
  automation: Automation,
  run: Omit<NewRun, "id" | "automationId">,
): Promise<AutomationRun> {
  const recorded = await insertRunAndMark(db, automation.tenantId, newRun(automation, run));
  if (recorded) return recorded;
  if (!run.claim) throw new Error("recording an automation run returned no row");
  return recordDuplicate(db, automation, run.at, run.triggerId);
}

/** The automation's own limits, from the counts its claim read: runs this hour, sessions running. */
function overLimit(
  automation: Automation,
  claim: ClaimedRun,
  now: Date,
): { reason: string; retryAfterSeconds: number } | null {
  const { maxRunsPerHour, maxConcurrent } = automation.limits;
  const { count, oldestAt } = claim.started;
  if (count >= maxRunsPerHour && oldestAt) {
    const frees = Date.parse(oldestAt) + HOUR_MS - now.getTime();
    return {
      reason: `${count} runs started in the last hour, the most this automation allows (${maxRunsPerHour})`,
      retryAfterSeconds: Math.max(1, Math.ceil(frees / 1000)),
    };
  }
  if (claim.running >= maxConcurrent)
    return {
      reason: `${claim.running} sessions of this automation are still running, the most it allows at once (${maxConcurrent})`,
      retryAfterSeconds: CONCURRENCY_RETRY_SECONDS,
    };
  return null;
}

/** The member the automation acts as, with their current role; null once they left the tenant. */
function actingActor(automation: Automation, member: ClaimedRun["member"]): Actor | null {
  if (!member) return null;
  return {
    tenantId: automation.tenantId,
    userId: member.id,
    role: member.role,
    name: member.name,
    login: member.login,
    via: "integration",
  };
}

function failureText(error: unknown): string {
  // The service's own refusals are written for people (no access, not connected, agent unavailable).
  if (error instanceof AppError && error.status < 500) return error.message;
  return "the session could not be started (an internal error; see the control plane's log)";
}

async function startSession(
  env: Bindings,
  db: Db,
  req: RunRequest,
  run: Extract<Evaluation, { kind: "run" }>,
  now: Date,
): Promise<StartedRun> {
  const { automation } = req;
  const allocated = req.defer ? newSessionId() : undefined;
  const at = now.toISOString();
  // Claimed first, so a replay is a duplicate whatever the limits say now; the limits and the
  // acting member are read in the same round trip.
  const claim = await claimRunWithChecks(
    db,
    automation.tenantId,
    newRun(automation, {
      at,
      triggerId: req.triggerId,
      outcome: "started",
      ...(allocated ? { sessionId: allocated } : {}),
      claim: true,
    }),
    {
      startedSince: new Date(now.getTime() - HOUR_MS).toISOString(),
      pendingSince: new Date(now.getTime() - PENDING_WINDOW_MS).toISOString(),
      actingUserId: automation.actingUserId,
    },
  );
  const claimed = claim.run;
  if (!claimed) return recordDuplicate(db, automation, at, req.triggerId);
  const refuse = async (outcome: "failed" | "rate_limited", reason: string): Promise<AutomationRun> => {
    const text = reason.slice(0, REASON_MAX);
    // Lets the trigger id go: the sender's retry of this delivery runs again.
    await settleRun(db, automation.tenantId, claimed.id, { outcome, reason: text });
    return { ...claimed, outcome, reason: text };
  };
  const limited = overLimit(automation, claim, now);
  if (limited)
    return {
      ...(await refuse("rate_limited", limited.reason)),
      retryAfterSeconds: limited.retryAfterSeconds,
    };
  const actor = actingActor(automation, claim.member);
  if (!actor)
    return refuse(
      "failed",
      "the member this automation acts as has left the tenant; an admin must save it again to act as them",
    );
  const create = () =>
    createSession(
      env,
      actor,
      {
        repo: run.repo,
        prompt: run.prompt,
        title: run.title,
        ...(automation.agent ? { agent: automation.agent } : {}),
        ...(automation.model ? { model: automation.model } : {}),
        ...(run.baseBranch ? { baseBranch: run.baseBranch } : {}),
      },
      req.trigger,
      {
        automation: { id: automation.id, name: automation.name },
        ...(run.branch ? { branch: run.branch } : {}),
        ...(allocated ? { id: allocated } : {}),
      },
    );
  const failed = (error: unknown) => {
    if (!(error instanceof AppError))
      console.error(`automation ${automation.id} run ${claimed.id}: ${String(error)}`);
    return refuse("failed", failureText(error));
  };
  if (req.defer && allocated) {
    req.defer(() => create().catch(failed));
    return { ...claimed, sessionId: allocated, sessionStatus: "queued" };
  }
  try {
    const session = await create();
    await settleRun(db, automation.tenantId, claimed.id, { sessionId: session.id });
    return { ...claimed, sessionId: session.id, sessionStatus: session.status };
  } catch (error) {
    return failed(error);
  }
}

export async function startAutomationRun(env: Bindings, req: RunRequest, now: Date): Promise<StartedRun> {
  const db = openDatabase(env.DB);
  const { automation, triggerId } = req;
  const at = now.toISOString();
  const evaluation = evaluateAutomation(automation, req.payload);
  // Every recorded outcome but a duplicate also stamps the automation's last run, in the same batch.
  if (evaluation.kind === "skip")
    return recordOutcome(db, automation, {
      at,
      triggerId,
      outcome: "skipped",
      reason: evaluation.reason,
      claim: true,
    });
  if (evaluation.kind === "fail")
    return recordOutcome(db, automation, {
      at,
      triggerId,
      outcome: "failed",
      reason: evaluation.reason,
      claim: false,
    });
  return startSession(env, db, req, evaluation, now);
}
