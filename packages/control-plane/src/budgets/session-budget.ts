/**
 * The session DO's budget keeping, in one part so the agent only wires it: the max turns cap
 * (further prompts are refused, and the turn that used the last one ends with an event saying
 * so), the wall-time cap (a `session.wall_time` deadline stops the session, cancelling a running
 * turn as a stop does), the session's model calls as the gateway reports them (session/model-calls.ts:
 * its spend for the gateway's session cap, its usage view) and the usage roll-ups' flush after each
 * turn and after calls made outside one (analytics/usage-rollup.ts).
 */
import {
  type AgentEvent,
  type SessionModelUsage,
  type SessionStatus,
  TERMINAL_STATUSES,
} from "@nightshift/protocol";
import { UsageRollup } from "../analytics/usage-rollup";
import type { Database } from "../db/client";
import type { LifecycleInput } from "../session/lifecycle";
import { ModelCall, ModelCallLog } from "../session/model-calls";
import type { RpcFailure, RpcResult } from "../session/rpc-types";
import type { DeadlineWork, Scheduler } from "../session/scheduler";
import type { SessionMeta } from "../session/store";
import { turnCapMessage, wallTimeMessage } from "./session-caps";

export class SessionBudget {
  private readonly rollup: UsageRollup;
  private readonly calls: ModelCallLog;

  constructor(
    db: () => Database,
    private readonly scheduler: Pick<Scheduler, "set" | "setNoLaterThan" | "clear">,
    /** The session's SQLite: turns are counted from its prompts table. */
    private readonly sql: SqlStorage,
    private readonly publish: (events: AgentEvent[]) => unknown,
    private readonly push: (input: LifecycleInput) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.calls = new ModelCallLog(sql);
    this.rollup = new UsageRollup(db, this.calls, scheduler, now);
  }

  /** The gateway reports one forwarded call; it counts at once and is rolled up by a later flush. */
  recordCall(meta: SessionMeta, call: unknown): RpcResult<null> {
    const parsed = ModelCall.safeParse(call);
    if (!parsed.success) return { ok: false, code: "invalid_request", message: "not a model call record" };
    this.calls.record(parsed.data);
    this.rollup.callRecorded(meta.status);
    return { ok: true, value: null };
  }

  /** The session's gateway spend (its USD cap) and its calls per model (the usage view). */
  usage(meta: SessionMeta): SessionModelUsage {
    return this.calls.view(meta.sessionId);
  }

  /** Prompts that ran, run or wait: each is one turn (a cancelled, never-run one is not). */
  private turnsTaken(): number {
    return Number(
      this.sql.exec("SELECT COUNT(*) AS n FROM prompts WHERE state IN ('queued','running','done')").one().n,
    );
  }

  /** Why the session takes no more prompts (a cap is reached), or null when it may take one. */
  promptRefusal(meta: SessionMeta): RpcFailure | null {
    const caps = meta.caps;
    if (!caps) return null;
    if (caps.endsAt !== undefined && caps.maxMinutes !== undefined && this.now() >= caps.endsAt)
      return { ok: false, code: "budget_exhausted", message: wallTimeMessage(caps.maxMinutes) };
    if (caps.maxTurns !== undefined && this.turnsTaken() >= caps.maxTurns)
      return { ok: false, code: "budget_exhausted", message: turnCapMessage(caps.maxTurns) };
    return null;
  }

  /** `before`: the session as it was (its caps never change). */
  statusChanged(before: SessionMeta, status: SessionStatus): void {
    this.rollup.statusChanged(before.status, status);
    const caps = before.caps;
    if (TERMINAL_STATUSES.has(status)) {
      this.scheduler.clear("session.wall_time");
      return;
    }
    // Armed on the first status change (queued → starting) and kept; setting it again is a no-op.
    if (caps?.endsAt !== undefined) this.scheduler.set("session.wall_time", caps.endsAt);
    const turnEnded = before.status === "running" && status === "idle";
    if (turnEnded && caps?.maxTurns !== undefined && this.turnsTaken() >= caps.maxTurns)
      this.publish([{ type: "error", code: "turn_cap_reached", message: turnCapMessage(caps.maxTurns) }]);
  }

  /** The deadlines this part answers on the alarm. */
  deadlines(meta: () => SessionMeta): DeadlineWork {
    return {
      "usage.rollup": () => this.rollup.flush(meta()),
      "session.wall_time": () => this.wallTimeReached(meta()),
    };
  }

  /** The wall clock ran out: the running turn is cancelled and the session stops, saying why. */
  private wallTimeReached(meta: SessionMeta): void {
    const maxMinutes = meta.caps?.maxMinutes;
    if (maxMinutes === undefined || TERMINAL_STATUSES.has(meta.status) || meta.status === "stopping") return;
    const message = wallTimeMessage(maxMinutes);
    this.publish([{ type: "error", code: "wall_time_reached", message }]);
    this.push({ kind: "stop.requested", reason: message });
  }
}
