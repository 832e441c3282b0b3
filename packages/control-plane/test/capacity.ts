/** Capacity test helpers: sessions created under small slot limits in a pool of their own. */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { Session, SessionStatus } from "@nightshift/protocol";
import { ulid } from "ulid";
import { createApp } from "../src/app";
import type { Bindings } from "../src/env";
import type { SessionAgent } from "../src/session/agent";
import { type Identity, sessionStub, unwrapRpc, waitFor } from "./helpers";
import type { SessionSnapshot } from "./support/test-session-agent";

const bindings = env as unknown as Bindings;

/** Slot limits for one test, in a pool no other test uses. */
export function slotVars(total: number, perTenant = total): Partial<Bindings> {
  return {
    SANDBOX_SLOT_LIMIT: String(total),
    SANDBOX_SLOT_LIMIT_PER_TENANT: String(perTenant),
    SANDBOX_SLOT_POOL: `test-${ulid().toLowerCase()}`,
  };
}

/** Calls the Worker with extra vars (limits), as `who`. */
export async function requestWith(
  vars: Partial<Bindings>,
  who: Identity,
  path: string,
  body?: unknown,
): Promise<Response> {
  return await createApp().request(
    `http://nightshift.test${path}`,
    {
      method: body === undefined ? "GET" : "POST",
      headers: { ...who.bearer, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    },
    { ...bindings, ...vars },
  );
}

export async function startSession(
  vars: Partial<Bindings>,
  who: Identity,
  prompt = "capacity",
  repoPath = "demo",
): Promise<Session> {
  const res = await requestWith(vars, who, "/api/v1/sessions", {
    repo: { kind: "local", path: repoPath },
    prompt,
  });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as Session;
}

export async function snapshotOf(session: Session): Promise<SessionSnapshot> {
  return unwrapRpc<SessionSnapshot>(await sessionStub(session.id).snapshot(session.tenantId));
}

export async function statusOf(session: Session): Promise<SessionStatus> {
  return (await snapshotOf(session)).status;
}

export function waitForStatus(session: Session, status: SessionStatus, timeoutMs = 5000): Promise<true> {
  return waitFor(
    `session ${session.id.slice(-6)} to be ${status}`,
    async () => (await statusOf(session)) === status,
    timeoutMs,
  );
}

/** When the session's named deadline is due (epoch ms), or null. */
export function deadlineOf(session: Session, name: string): Promise<number | null> {
  return runInDurableObject(sessionStub(session.id), (_a: SessionAgent, state) => {
    const row = state.storage.sql.exec("SELECT at FROM deadlines WHERE name = ?", name).toArray()[0];
    return row ? Number(row.at) : null;
  });
}

/** Makes the session's named deadline due now and runs its alarm. */
export async function runDeadlineNow(session: Session, name: string): Promise<void> {
  const stub = sessionStub(session.id);
  await runInDurableObject(stub, (_a: SessionAgent, state) => {
    state.storage.sql.exec("UPDATE deadlines SET at = ? WHERE name = ?", Date.now() - 1, name);
  });
  await runDurableObjectAlarm(stub);
}

/** Stops the session and runs its sandbox release now instead of after the grace period. */
export async function endSession(session: Session, who: Identity): Promise<void> {
  const res = await requestWith({}, who, `/api/v1/sessions/${session.id}/stop`, {});
  if (res.status !== 202) throw new Error(`stop failed: ${res.status} ${await res.text()}`);
  await runDeadlineNow(session, "sandbox.terminate");
}

export function poolStub(vars: Partial<Bindings>) {
  return bindings.SANDBOX_SLOTS.getByName(vars.SANDBOX_SLOT_POOL!);
}
