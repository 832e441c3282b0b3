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
  countLiveAutomationSessions,
  countPendingAutomationSessions,
  insertRun,
  type NewRun,
  settleRun,
  startedRunsSince,
} from "../db/repositories/automation-runs";
import { markAutomationRan } from "../db/repositories/automations";
import { findMembership } from "../db/repositories/tenancy";
import { findUser } from "../db/repositories/users";
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
   * waits milliseconds, not for the write check. A creation that fails settles the run as failed.
   */
  defer?: (work: Promise<unknown>) => void;
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

async function record(
  db: Db,
  automation: Automation,
  run: Omit<NewRun, "id" | "automationId">,
): Promise<AutomationRun | null> {
  return insertRun(db, automation.tenantId, {
    ...run,
    ...(run.reason ? { reason: run.reason.slice(0, REASON_MAX) } : {}),
    id: ulid(Date.parse(run.at)).toLowerCase(),
    automationId: automation.id,
  });
}

/** Records the outcome; a claim lost to an earlier run with the same trigger id is a duplicate. */
async function recordClaimed(
  db: Db,
  automation: Automation,
  run: Omit<NewRun, "id" | "automationId" | "claim">,
): Promise<AutomationRun> {
  const claimed = await record(db, automation, { ...run, claim: true });
  if (claimed) return claimed;
  const duplicate = await record(db, automation, {
    at: run.at,
    triggerId: run.triggerId,
    outcome: "duplicate",
    reason: "this delivery was already received",
    claim: false,
  });
  if (!duplicate) throw new Error("recording a duplicate automation run returned no row");
  return duplicate;
}

async function recordUnclaimed(
  db: Db,
  automation: Automation,
  run: Omit<NewRun, "id" | "automationId" | "claim">,
): Promise<AutomationRun> {
  const row = await record(db, automation, { ...run, claim: false });
  if (!row) throw new Error("recording an automation run returned no row");
  return row;
}

/** The automation's own limits: runs started in the last hour, and its sessions still running. */
async function overLimit(
  db: Db,
  automation: Automation,
  runId: string,
  now: Date,
): Promise<{ reason: string; retryAfterSeconds: number } | null> {
  const { maxRunsPerHour, maxConcurrent } = automation.limits;
  const since = new Date(now.getTime() - HOUR_MS).toISOString();
  // The reads at once: every millisecond here is in the sender's wait for the answer.
  const [runs, running, pending] = await Promise.all([
    startedRunsSince(db, automation.tenantId, automation.id, since),
    countLiveAutomationSessions(db, automation.tenantId, automation.id),
    countPendingAutomationSessions(
      db,
      automation.tenantId,
      automation.id,
      new Date(now.getTime() - PENDING_WINDOW_MS).toISOString(),
      runId,
    ),
  ]);
  const live = running + pending;
  // This run's own claim is already among them.
  const started = runs.filter((r) => r.id !== runId);
  const oldest = started[0];
  if (started.length >= maxRunsPerHour && oldest) {
    const frees = Date.parse(oldest.at) + HOUR_MS - now.getTime();
    return {
      reason: `${started.length} runs started in the last hour, the most this automation allows (${maxRunsPerHour})`,
      retryAfterSeconds: Math.max(1, Math.ceil(frees / 1000)),
    };
  }
  if (live >= maxConcurrent)
    return {
      reason: `${live} sessions of this automation are still running, the most it allows at once (${maxConcurrent})`,
      retryAfterSeconds: CONCURRENCY_RETRY_SECONDS,
    };
  return null;
}

/** The member the automation acts as, with their current role; null once they left the tenant. */
export async function actingActor(env: Bindings, automation: Automation): Promise<Actor | null> {
  const db = openDatabase(env.DB);
  const [membership, user] = await Promise.all([
    findMembership(db, automation.tenantId, automation.actingUserId),
    findUser(db, automation.actingUserId),
  ]);
  if (!membership || !user) return null;
  return {
    tenantId: automation.tenantId,
    userId: user.id,
    role: membership.role,
    name: user.name,
    login: user.login,
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
  // Claimed first, so a replay is a duplicate whatever the limits say now.
  const claimed = await recordClaimed(db, automation, {
    at: now.toISOString(),
    triggerId: req.triggerId,
    outcome: "started",
    ...(allocated ? { sessionId: allocated } : {}),
  });
  if (claimed.outcome === "duplicate") return claimed;
  const refuse = async (outcome: "failed" | "rate_limited", reason: string): Promise<AutomationRun> => {
    const text = reason.slice(0, REASON_MAX);
    // Lets the trigger id go: the sender's retry of this delivery runs again.
    await settleRun(db, automation.tenantId, claimed.id, { outcome, reason: text });
    return { ...claimed, outcome, reason: text };
  };
  const [limited, actor] = await Promise.all([
    overLimit(db, automation, claimed.id, now),
    actingActor(env, automation),
  ]);
  if (limited)
    return {
      ...(await refuse("rate_limited", limited.reason)),
      retryAfterSeconds: limited.retryAfterSeconds,
    };
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
    req.defer(create().catch(failed));
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
  const { automation } = req;
  const at = now.toISOString();
  const evaluation = evaluateAutomation(automation, req.payload);
  const triggerId = req.triggerId;
  let run: StartedRun;
  if (evaluation.kind === "skip")
    run = await recordClaimed(db, automation, {
      at,
      triggerId,
      outcome: "skipped",
      reason: evaluation.reason,
    });
  else if (evaluation.kind === "fail")
    run = await recordUnclaimed(db, automation, {
      at,
      triggerId,
      outcome: "failed",
      reason: evaluation.reason,
    });
  else run = await startSession(env, db, req, evaluation, now);
  if (run.outcome !== "duplicate") {
    const ran = markAutomationRan(db, automation.tenantId, automation.id, at);
    if (req.defer) req.defer(ran);
    else await ran;
  }
  return run;
}
