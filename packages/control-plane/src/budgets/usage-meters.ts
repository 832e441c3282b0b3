/**
 * Where model spend is kept, for its readers and its one writer (the gateway): each call in its
 * session's DO (session/model-calls.ts: the session cap, the usage view, the roll-up) and its cost
 * in the tenant's meter DO (rate-limit/tenant-limiter.ts: the month cap, the create-time 402, the
 * budget status). Every call names its tenant; a DO that answers for another tenant is an error,
 * never a zero.
 */
import type { SessionModelUsage } from "@nightshift/protocol";
import type { Bindings } from "../env";
import type { ModelCall } from "../session/model-calls";
import type { RpcResult } from "../session/rpc-types";

/** `YYYY-MM` in UTC: the month a call's spend counts against. */
export function monthOf(at: Date): string {
  return at.toISOString().slice(0, 7);
}

function tenantMeter(env: Bindings, tenantId: string) {
  return env.RATE_LIMITER.getByName(tenantId);
}

function meterAnswer(answer: { usd: number } | { refused: string }): number {
  // Cannot happen for an object named by the tenant itself; a bug must not read as "nothing spent".
  if ("refused" in answer) throw new Error("the tenant meter belongs to another tenant");
  return answer.usd;
}

export async function monthSpendUsd(env: Bindings, tenantId: string, month: string): Promise<number> {
  return meterAnswer(await tenantMeter(env, tenantId).monthSpend(tenantId, month));
}

function sessionAnswer<T>(answer: RpcResult<T>): T {
  if (!answer.ok) throw new Error(`the session refused its usage: ${answer.code}`);
  return answer.value;
}

/** The session's calls summed per model; null when its DO holds no session (never initialised). */
export async function sessionUsageOf(
  env: Bindings,
  tenantId: string,
  sessionId: string,
): Promise<SessionModelUsage | null> {
  const answer = await env.SESSION_AGENT.getByName(sessionId).modelUsage(tenantId);
  if (!answer.ok && answer.code === "session_not_found") return null;
  return sessionAnswer(answer);
}

export async function sessionSpendUsd(env: Bindings, tenantId: string, sessionId: string): Promise<number> {
  return (await sessionUsageOf(env, tenantId, sessionId))?.costUsd ?? 0;
}

/** One call, in its session and in its tenant's month: both at once, both must take it. */
export async function recordModelCall(
  env: Bindings,
  tenantId: string,
  sessionId: string,
  call: ModelCall,
): Promise<void> {
  const [session, meter] = await Promise.all([
    env.SESSION_AGENT.getByName(sessionId).recordModelCall(tenantId, call),
    tenantMeter(env, tenantId).addSpend({ tenantId, month: monthOf(new Date(call.at)), usd: call.costUsd }),
  ]);
  sessionAnswer(session);
  meterAnswer(meter);
}
