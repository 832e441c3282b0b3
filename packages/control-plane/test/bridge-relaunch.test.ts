/**
 * A relaunched sandbox is a new incarnation whose runtime counts its events from 1 again: the bridge
 * must forget the previous incarnation's ack, or the new sandbox's first events look like resends
 * and are dropped without a trace.
 */
import { runInDurableObject } from "cloudflare:test";
import { EventsPage } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { mintSandboxToken } from "../src/sandbox-auth/token";
import { sha256Hex } from "../src/secrets/encoding";
import type { SessionAgent } from "../src/session/agent";
import { SandboxBridge } from "../src/session/bridge";
import { MetaStore, sqlMetaRows } from "../src/session/meta-store";
import { api, createSession, sessionStub } from "./helpers";
import { SandboxClient, TEST_SANDBOX_SECRET, useIncarnation } from "./sandbox-client";

const delta = (seq: number, text: string) => ({
  seq,
  event: { type: "message.delta", messageId: "m", text },
});

describe("a relaunched sandbox", () => {
  it("starts from ack 0 and has its first events stored", async () => {
    const s = await createSession("relaunch me");
    const first = await SandboxClient.connect(await useIncarnation(s, "inc-relaunch-1"));
    first.send({ v: 1, type: "hello", runtimeVersion: "t", lastSeq: 0 });
    await first.waitFor("welcome");
    first.sendEvents([delta(1, "old-1"), delta(2, "old-2"), delta(3, "old-3")]);
    await first.waitForAck(3);

    // What the launcher does for a new sandbox: begin the next incarnation on the DO's own storage.
    const next = "inc-relaunch-2";
    const hash = await sha256Hex(next);
    await runInDurableObject(sessionStub(s.id), (_agent: SessionAgent, state) => {
      const noop = { onEvents() {}, onReady() {}, onAlive() {} };
      new SandboxBridge(state, new MetaStore(sqlMetaRows(state.storage.sql)), noop).beginIncarnation(hash);
    });
    await first.waitForClose();

    const token = await mintSandboxToken(
      TEST_SANDBOX_SECRET,
      { sessionId: s.id, tenantId: s.tenantId, jti: next },
      600,
    );
    const second = await SandboxClient.connect(token);
    second.send({ v: 1, type: "hello", runtimeVersion: "t", lastSeq: 0 });
    expect(await second.waitFor("welcome")).toMatchObject({ ackedSeq: 0 });
    second.sendEvents([delta(1, "new-1")]);
    await second.waitForAck(1);
    const page = EventsPage.parse(await (await api(`/api/v1/sessions/${s.id}/events?limit=1000`)).json());
    const texts = page.events.flatMap((e) => (e.event.type === "message.delta" ? [e.event.text] : []));
    expect(texts).toEqual(["old-1", "old-2", "old-3", "new-1"]);
    second.close();
  });
});
