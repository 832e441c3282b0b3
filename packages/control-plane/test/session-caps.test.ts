/**
 * Per-session caps beside the model spend: max turns and wall time, set per tenant (Settings →
 * Budget) and tightened per session at create. A session at a cap ends its turn cleanly with an
 * event saying so and refuses further prompts with 402 naming the cap. Real Worker, D1, session
 * DO and bridge.
 */
import { runInDurableObject } from "cloudflare:test";
import type { Session, StoredEvent } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import type { SessionAgent } from "../src/session/agent";
import { MetaStore, sqlMetaRows } from "../src/session/meta-store";
import { deadlineOf, runDeadlineNow, waitForStatus } from "./capacity";
import { api, createTenant, type Identity, postJson, sessionStub, unwrapRpc, waitFor } from "./helpers";
import { SandboxClient, useIncarnation } from "./sandbox-client";

async function start(owner: Identity, limits?: Record<string, number>): Promise<Response> {
  return postJson(
    "/api/v1/sessions",
    { repo: { kind: "local", path: "demo" }, prompt: "Add a README", ...(limits ? { limits } : {}) },
    {},
    owner,
  );
}

async function started(owner: Identity, limits?: Record<string, number>): Promise<Session> {
  const res = await start(owner, limits);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Session;
}

function prompt(session: Session, owner: Identity, text = "and more"): Promise<Response> {
  return postJson(`/api/v1/sessions/${session.id}/prompts`, { text }, {}, owner);
}

async function events(session: Session): Promise<StoredEvent["event"][]> {
  const page = unwrapRpc<{ events: StoredEvent[] }>(
    await sessionStub(session.id).readEvents(session.tenantId, 0, 500),
  );
  return page.events.map((e) => e.event);
}

async function putBudget(owner: Identity, budget: Record<string, number>): Promise<Response> {
  return api(
    `/api/v1/tenants/${owner.tenantId}/settings/budget`,
    { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(budget) },
    owner,
  );
}

/** A sandbox that has taken the session's first prompt: the turn is running. */
async function runningSandbox(session: Session): Promise<SandboxClient> {
  const client = await SandboxClient.connect(await useIncarnation(session, `inc-caps-${session.id}`));
  client.send({ v: 1, type: "hello", runtimeVersion: "t", lastSeq: 0 });
  client.send({ v: 1, type: "ready" });
  await client.waitFor("prompt");
  await waitForStatus(session, "running");
  return client;
}

/** The session's wall clock as if its minutes had passed: its end moves to just now. */
async function timeTravelPastWallTime(session: Session): Promise<void> {
  await runInDurableObject(sessionStub(session.id), (_a: SessionAgent, state) => {
    const meta = new MetaStore(sqlMetaRows(state.storage.sql));
    const current = meta.get("session.meta");
    if (!current?.caps) throw new Error("the session has no caps");
    meta.set("session.meta", { ...current, caps: { ...current.caps, endsAt: Date.now() - 1 } });
  });
}

async function refusal(res: Response): Promise<string> {
  expect(res.status).toBe(402);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe("budget_exhausted");
  return body.error.message;
}

describe("session caps: max turns", () => {
  it("ends the last allowed turn with an event and refuses the next prompt with 402 naming the cap (prompt past the turn cap attack)", async () => {
    const owner = await createTenant("caps-turns");
    const session = await started(owner, { maxTurns: 2 });
    const client = await runningSandbox(session);
    expect((await prompt(session, owner, "second")).status).toBe(202);
    expect(await refusal(await prompt(session, owner, "third"))).toContain(
      "has run its 2 turns (its max turns cap)",
    );

    const first = client.frames.find((f) => f.type === "prompt");
    client.sendEvents([
      {
        seq: 1,
        event: { type: "turn.end", promptId: (first as { promptId: string }).promptId, status: "completed" },
      },
    ]);
    const second = await client.waitFor(
      "prompt",
      (f) => f.promptId !== (first as { promptId: string }).promptId,
    );
    expect((await events(session)).some((e) => e.type === "error")).toBe(false);
    client.sendEvents([
      { seq: 2, event: { type: "turn.end", promptId: second.promptId, status: "completed" } },
    ]);
    await waitForStatus(session, "idle");
    const capEvent = (await events(session)).find((e) => e.type === "error");
    expect(capEvent).toMatchObject({ type: "error", code: "turn_cap_reached" });
    expect(await refusal(await prompt(session, owner))).toContain("max turns cap");
    client.close();
  });

  it("takes the tenant's cap when the session asks for none, and refuses a looser one at create (cap escape attack)", async () => {
    const owner = await createTenant("caps-tenant");
    expect((await putBudget(owner, { sessionMaxTurns: 2, sessionMaxMinutes: 60 })).status).toBe(200);
    const looser = await start(owner, { maxTurns: 5 });
    expect(looser.status).toBe(400);
    expect(((await looser.json()) as { error: { message: string } }).error.message).toContain(
      "limits.maxTurns 5 is above this tenant's cap of 2 turns",
    );
    expect((await start(owner, { maxMinutes: 61 })).status).toBe(400);

    const session = await started(owner);
    expect((await prompt(session, owner)).status).toBe(202);
    expect(await refusal(await prompt(session, owner))).toContain("2 turns");
    const tighter = await started(owner, { maxTurns: 1 });
    expect(await refusal(await prompt(tighter, owner))).toContain("its 1 turn (");
  });

  it("validates the caps in Settings → Budget and at create", async () => {
    const owner = await createTenant("caps-validate");
    expect((await putBudget(owner, { sessionMaxTurns: 0 })).status).toBe(400);
    expect((await putBudget(owner, { sessionMaxMinutes: 1.5 })).status).toBe(400);
    expect((await start(owner, { maxTurns: -1 })).status).toBe(400);
    expect((await start(owner, { maxMinutes: 7 * 24 * 60 + 1 })).status).toBe(400);
  });
});

describe("session caps: wall time", () => {
  it("cancels the running turn at the wall-time cap, stops the session saying why and refuses prompts naming the cap", async () => {
    const owner = await createTenant("caps-wall");
    const before = Date.now();
    const session = await started(owner, { maxMinutes: 1 });
    const client = await runningSandbox(session);
    const due = await deadlineOf(session, "session.wall_time");
    expect(due).toBeGreaterThanOrEqual(before + 60_000);
    expect(due).toBeLessThanOrEqual(Date.now() + 60_000);

    await timeTravelPastWallTime(session);
    await runDeadlineNow(session, "session.wall_time");
    await client.waitFor("cancel");
    await waitForStatus(session, "stopped");
    const all = await events(session);
    expect(all.find((e) => e.type === "error")).toMatchObject({
      code: "wall_time_reached",
      message: expect.stringContaining("wall-time cap of 1 minute"),
    });
    expect(all.findLast((e) => e.type === "session.status")).toMatchObject({
      status: "stopped",
      reason: expect.stringContaining("wall-time cap"),
    });
    expect(await refusal(await prompt(session, owner))).toContain("wall-time cap of 1 minute");
    client.close();
  });

  it("arms no wall clock for a session without caps", async () => {
    const owner = await createTenant("caps-none");
    const session = await started(owner);
    await waitFor("the session to leave queued", async () => {
      const all = await events(session);
      return all.some((e) => e.type === "session.status" && e.status !== "queued");
    });
    expect(await deadlineOf(session, "session.wall_time")).toBeNull();
    expect((await prompt(session, owner)).status).toBe(202);
  });
});
