/**
 * Sessions outlive their sandbox (issue 13 §6): a sandbox lost between turns pauses the session
 * (its slot goes back to the pool), a follow-up resumes it on a new incarnation, and the agent's
 * saved conversation (PUT/GET /sandbox/conversation) is there for the new sandbox. Only a sandbox
 * lost mid-turn fails the session. Real SessionAgent and SandboxSlots DOs, real routes.
 */
import type { Session, SessionStatus } from "@nightshift/protocol";
import { AGENT_SESSION_HEADER, CONVERSATION_MAX_BYTES } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { mintBootstrapToken } from "../src/sandbox-auth/bootstrap-token";
import { mintSandboxToken } from "../src/sandbox-auth/token";
import { sha256Hex } from "../src/secrets/encoding";
import type { EventsPageResult } from "../src/session/rpc-types";
import { BRIDGE_LOST_GRACE_MS, HEARTBEAT_STALE_MS } from "../src/session/timeouts";
import {
  deadlineOf,
  poolStub,
  requestWith,
  runDeadlineNow,
  slotVars,
  startSession,
  statusOf,
  waitForStatus,
} from "./capacity";
import { api, createTenant, type Identity, sessionStub, unwrapRpc, waitFor } from "./helpers";
import { SandboxClient, TEST_SANDBOX_SECRET, useIncarnation } from "./sandbox-client";

const archive = (text: string) => new TextEncoder().encode(text);

function putConversation(token: string, body: Uint8Array, agentSessionId?: string) {
  return api("/sandbox/conversation", {
    method: "PUT",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/gzip",
      ...(agentSessionId ? { [AGENT_SESSION_HEADER]: agentSessionId } : {}),
    },
    body,
  });
}

function getConversation(token: string) {
  return api("/sandbox/conversation", { headers: { authorization: `Bearer ${token}` } });
}

async function statuses(s: Session): Promise<{ status: SessionStatus; reason?: string }[]> {
  const page = unwrapRpc<EventsPageResult>(await sessionStub(s.id).readEvents(s.tenantId, 0, 500));
  return page.events.flatMap((e) =>
    e.event.type === "session.status"
      ? [{ status: e.event.status, ...(e.event.reason ? { reason: e.event.reason } : {}) }]
      : [],
  );
}

/** A sandbox that connected, took the first prompt and finished its turn: the session is idle. */
async function idleSession(vars: ReturnType<typeof slotVars>, who: Identity, jti: string) {
  const s = await startSession(vars, who, "first task");
  const token = await useIncarnation(s, jti);
  const client = await SandboxClient.connect(token);
  client.send({ v: 1, type: "hello", runtimeVersion: "t", lastSeq: 0 });
  client.send({ v: 1, type: "ready" });
  const prompt = await client.waitFor("prompt");
  client.sendEvents([
    {
      seq: 1,
      event: { type: "message", messageId: "m1", role: "assistant", text: "I wrote notes/first.md" },
    },
    { seq: 2, event: { type: "turn.end", promptId: prompt.promptId, status: "completed" } },
  ]);
  await waitForStatus(s, "idle");
  return { s, token, client };
}

const heartbeatIn = async (s: Session) => ((await deadlineOf(s, "sandbox.heartbeat")) ?? 0) - Date.now();

/**
 * Closes an idle sandbox's bridge and waits until the DO has handled the close (it moves the
 * heartbeat deadline in to the short grace): forcing that deadline earlier races the handler,
 * which would then push it back out.
 */
async function closeBetweenTurns(s: Session, client: SandboxClient): Promise<void> {
  client.close();
  await waitFor(
    "the DO to notice the closed bridge",
    async () => (await heartbeatIn(s)) <= BRIDGE_LOST_GRACE_MS,
  );
}

function followUp(vars: ReturnType<typeof slotVars>, who: Identity, s: Session, text: string) {
  return requestWith(vars, who, `/api/v1/sessions/${s.id}/prompts`, { text });
}

/** What the bootstrap exchange hands the sandbox of incarnation `jti` (the launcher's token, minted here). */
async function exchangedEnv(s: Session, jti: string): Promise<Record<string, string>> {
  const { token } = await mintBootstrapToken(
    TEST_SANDBOX_SECRET,
    { sessionId: s.id, tenantId: s.tenantId, incarnation: jti, jti: `boot-${jti}` },
    Date.now(),
  );
  const res = await api("/sandbox/bootstrap", {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { env: Record<string, string> }).env;
}

/** The new incarnation the resume launched connects and says it is ready; its first prompt frame. */
async function resumedSandbox(s: Session, jti: string) {
  const token = await useIncarnation(s, jti);
  const env = await exchangedEnv(s, jti);
  const client = await SandboxClient.connect(token);
  client.send({ v: 1, type: "hello", runtimeVersion: "t", lastSeq: 0 });
  client.send({ v: 1, type: "ready" });
  return { token, env, client, prompt: await client.waitFor("prompt") };
}

describe("a session outlives its sandbox", () => {
  it("a sandbox killed behind Nightshift's back while idle pauses the session (not failed) and frees its slot", async () => {
    const t = await createTenant("resume-kill");
    const vars = slotVars(1);
    const { s, client } = await idleSession(vars, t, "inc-kill-1");
    // A session's first sandbox starts fresh.
    expect(await exchangedEnv(s, "inc-kill-1")).not.toHaveProperty("NIGHTSHIFT_RESUME");
    await closeBetweenTurns(s, client);
    await runDeadlineNow(s, "sandbox.heartbeat");
    expect(await statusOf(s)).toBe("paused");
    expect((await statuses(s)).at(-1)?.reason).toMatch(/went away between turns/);
    await runDeadlineNow(s, "sandbox.terminate");
    expect((await poolStub(vars).usage()).held).toBe(0);
    // Paused holds no sandbox: none of the old incarnation's deadlines is left to fire.
    for (const name of ["sandbox.heartbeat", "idle.stop", "slot.renew", "sandbox.terminate"])
      expect(await deadlineOf(s, name)).toBeNull();
  }, 30_000);

  it("a follow-up on a paused session resumes it: resuming, a new incarnation, then the prompt runs there", async () => {
    const t = await createTenant("resume-follow");
    const vars = slotVars(1);
    const { s, token, client } = await idleSession(vars, t, "inc-follow-1");
    expect((await putConversation(token, archive("turn one"), "c0ffee-1")).status).toBe(200);
    await closeBetweenTurns(s, client);
    await runDeadlineNow(s, "sandbox.heartbeat");
    await runDeadlineNow(s, "sandbox.terminate");
    expect(await statusOf(s)).toBe("paused");

    const res = await followUp(vars, t, s, "now add notes/second.md");
    expect(res.status).toBe(202);
    expect(await statusOf(s)).toBe("resuming");
    const resumed = await resumedSandbox(s, "inc-follow-2");
    // The exchange tells the new runtime it resumes, and which CLI session to continue.
    expect(resumed.env).toMatchObject({ NIGHTSHIFT_RESUME: "1", NIGHTSHIFT_AGENT_SESSION_ID: "c0ffee-1" });
    expect(resumed.prompt.text).toBe("now add notes/second.md");
    await waitForStatus(s, "running");
    expect((await statuses(s)).map((e) => e.status)).toEqual([
      "queued",
      "starting",
      "running",
      "idle",
      "paused",
      "resuming",
      "running",
    ]);
    // The new sandbox finds the conversation the old one saved; the old one may no longer touch it.
    const saved = await getConversation(resumed.token);
    expect(saved.status).toBe(200);
    expect(saved.headers.get("content-type")).toBe("application/gzip");
    expect(await saved.text()).toBe("turn one");
    expect((await putConversation(token, archive("stale"))).status).toBe(401);
    expect(await (await getConversation(resumed.token)).text()).toBe("turn one");
    expect((await poolStub(vars).usage()).held).toBe(1);
    resumed.client.close();
  }, 30_000);

  it("a follow-up sent while the sandbox is already gone (not yet noticed) resumes instead of failing", async () => {
    const t = await createTenant("resume-unnoticed");
    const vars = slotVars(1);
    const { s, client } = await idleSession(vars, t, "inc-unnoticed-1");
    client.close();
    expect((await followUp(vars, t, s, "follow-up into the void")).status).toBe(202);
    await runDeadlineNow(s, "sandbox.heartbeat");
    expect(await statusOf(s)).not.toBe("failed");
    const resumed = await resumedSandbox(s, "inc-unnoticed-2");
    expect(resumed.prompt.text).toBe("follow-up into the void");
    await waitForStatus(s, "running");
    resumed.client.close();
  }, 30_000);

  it("a follow-up inside the old sandbox's termination grace cannot have the new incarnation ended by the old release", async () => {
    const t = await createTenant("resume-grace");
    const vars = slotVars(1);
    const { s, client } = await idleSession(vars, t, "inc-grace-1");
    await runDeadlineNow(s, "idle.stop");
    expect(await statusOf(s)).toBe("paused");
    expect(await deadlineOf(s, "sandbox.terminate")).not.toBeNull();
    expect((await followUp(vars, t, s, "quick follow-up")).status).toBe(202);
    // The old release ran before the new slot was asked for, so nothing of it is left to fire.
    expect(await deadlineOf(s, "sandbox.terminate")).toBeNull();
    const resumed = await resumedSandbox(s, "inc-grace-2");
    await waitForStatus(s, "running");
    expect(resumed.client.closeCode).toBeNull();
    expect((await poolStub(vars).usage()).held).toBe(1);
    client.close();
    resumed.client.close();
  }, 30_000);

  it("a sandbox lost mid-turn still fails the session", async () => {
    const t = await createTenant("resume-midturn");
    const s = await startSession(slotVars(1), t, "long task");
    const client = await SandboxClient.connect(await useIncarnation(s, "inc-midturn-1"));
    client.send({ v: 1, type: "hello", runtimeVersion: "t", lastSeq: 0 });
    client.send({ v: 1, type: "ready" });
    await client.waitFor("prompt");
    await waitForStatus(s, "running");
    client.close();
    await runDeadlineNow(s, "sandbox.heartbeat");
    expect(await statusOf(s)).toBe("failed");
    expect((await statuses(s)).at(-1)?.reason).toMatch(/stopped responding/);
  }, 30_000);

  it("a paused session can be stopped, and then takes no follow-up", async () => {
    const t = await createTenant("resume-stop");
    const vars = slotVars(1);
    const { s, client } = await idleSession(vars, t, "inc-stop-1");
    await closeBetweenTurns(s, client);
    await runDeadlineNow(s, "sandbox.heartbeat");
    expect((await requestWith(vars, t, `/api/v1/sessions/${s.id}/stop`, {})).status).toBe(202);
    expect(await statusOf(s)).toBe("stopped");
    expect((await followUp(vars, t, s, "too late")).status).toBe(409);
  }, 30_000);
});

describe("noticing a lost sandbox", () => {
  it("a bridge that closes between turns and does not come back pauses the session after the short grace", async () => {
    const t = await createTenant("lost-idle");
    const { s, client } = await idleSession(slotVars(1), t, "inc-lost-idle");
    expect(await heartbeatIn(s)).toBeGreaterThan(BRIDGE_LOST_GRACE_MS);
    await closeBetweenTurns(s, client);
    await runDeadlineNow(s, "sandbox.heartbeat");
    expect(await statusOf(s)).toBe("paused");
  }, 30_000);

  it("a sandbox that dials back within the grace keeps its session", async () => {
    const t = await createTenant("lost-back");
    const { s, token, client } = await idleSession(slotVars(1), t, "inc-lost-back");
    client.close();
    await waitFor("the short grace", async () => (await heartbeatIn(s)) <= BRIDGE_LOST_GRACE_MS);
    const again = await SandboxClient.connect(token);
    again.send({ v: 1, type: "hello", runtimeVersion: "t", lastSeq: 2 });
    await again.waitFor("welcome");
    await waitFor(
      "the full heartbeat window again",
      async () => (await heartbeatIn(s)) > BRIDGE_LOST_GRACE_MS,
    );
    expect(await heartbeatIn(s)).toBeLessThanOrEqual(HEARTBEAT_STALE_MS);
    expect(await statusOf(s)).toBe("idle");
    again.close();
  }, 30_000);
});

describe("the saved conversation", () => {
  it("a foreign tenant cannot read or write another session's conversation", async () => {
    const owner = await createTenant("conv-owner");
    const { s, token, client } = await idleSession(slotVars(1), owner, "inc-conv-owner");
    expect((await putConversation(token, archive("private turn"), "owner-session")).status).toBe(200);
    const intruder = await createTenant("conv-intruder");
    // A token whose signature is good but whose tenant is not the session's: nothing to see or write.
    const crossTenant = await mintSandboxToken(
      TEST_SANDBOX_SECRET,
      { sessionId: s.id, tenantId: intruder.tenantId, jti: "inc-conv-owner" },
      600,
    );
    const read = await getConversation(crossTenant);
    expect(read.status).toBe(401);
    expect(await read.text()).not.toContain("private turn");
    expect((await putConversation(crossTenant, archive("overwritten"))).status).toBe(401);
    // The intruder's own sandbox names only its own session: it gets its own (empty) conversation.
    const other = await idleSession(slotVars(1), intruder, "inc-conv-intruder");
    expect((await getConversation(other.token)).status).toBe(204);
    expect(await (await getConversation(token)).text()).toBe("private turn");
    client.close();
    other.client.close();
  }, 30_000);

  it("refuses a missing token, a bad agent session id, a wrong type and an archive over the bound", async () => {
    const t = await createTenant("conv-bounds");
    const { s, token, client } = await idleSession(slotVars(1), t, "inc-conv-bounds");
    expect((await api("/sandbox/conversation")).status).toBe(401);
    expect((await putConversation(token, archive("x"), "has spaces/slash")).status).toBe(400);
    const wrongType = await api("/sandbox/conversation", {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(wrongType.status).toBe(415);
    const tooBig = await putConversation(token, new Uint8Array(CONVERSATION_MAX_BYTES + 1));
    expect(tooBig.status).toBe(413);
    expect(((await tooBig.json()) as { error: { code: string } }).error.code).toBe("payload_too_large");
    // The DO bounds it too, whoever calls it (the route's check is not the only one).
    const direct = await sessionStub(s.id).saveConversation(
      s.tenantId,
      await sha256Hex("inc-conv-bounds"),
      new Uint8Array(CONVERSATION_MAX_BYTES + 1),
      null,
    );
    expect(direct).toMatchObject({ ok: false, code: "payload_too_large" });
    // A large archive (several storage chunks) comes back byte for byte.
    const big = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 31) % 251);
    expect((await putConversation(token, big)).status).toBe(200);
    const back = new Uint8Array(await (await getConversation(token)).arrayBuffer());
    expect(back.byteLength).toBe(big.byteLength);
    expect(back.every((b, i) => b === big[i])).toBe(true);
    client.close();
  }, 30_000);
});
