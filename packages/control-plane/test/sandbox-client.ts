/** A test sandbox: mints a token for a chosen incarnation and speaks the bridge protocol. */

import { runInDurableObject } from "cloudflare:test";
import type { ControlFrame, Session } from "@nightshift/protocol";
import { mintSandboxToken } from "../src/sandbox-auth/token";
import { sha256Hex } from "../src/secrets/encoding";
import type { SessionAgent } from "../src/session/agent";
import { MetaStore, sqlMetaRows } from "../src/session/meta-store";
import { api, sessionStub, waitFor } from "./helpers";

export const TEST_SANDBOX_SECRET = "test-sandbox-token-secret-0123456789abcdef";

/** Waits until the launcher (on the alarm) has created the sandbox, so it cannot overwrite test state afterwards. */
export async function waitForLaunch(session: Session): Promise<void> {
  const stub = sessionStub(session.id);
  await waitFor("the sandbox launch", () =>
    runInDurableObject(
      stub,
      (_a: SessionAgent, state) =>
        new MetaStore(sqlMetaRows(state.storage.sql)).get("sandbox.provider_id") !== null,
    ),
  );
}

/** Makes `jti` the session's current incarnation, as the launcher does before calling the provider. */
export async function useIncarnation(session: Session, jti: string): Promise<string> {
  const hash = await sha256Hex(jti);
  const stub = sessionStub(session.id);
  await waitForLaunch(session);
  await runInDurableObject(stub, (_agent: SessionAgent, state) => {
    new MetaStore(sqlMetaRows(state.storage.sql)).set("bridge.incarnation_hash", hash);
  });
  return mintSandboxToken(
    TEST_SANDBOX_SECRET,
    { sessionId: session.id, tenantId: session.tenantId, jti },
    600,
  );
}

export class SandboxClient {
  readonly frames: ControlFrame[] = [];
  closeCode: number | null = null;
  closeReason = "";

  private constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (m) => this.frames.push(JSON.parse(String(m.data)) as ControlFrame));
    ws.addEventListener("close", (e) => {
      this.closeCode = e.code;
      this.closeReason = e.reason;
    });
  }

  static async connect(token: string | null): Promise<SandboxClient> {
    const headers: Record<string, string> = { upgrade: "websocket" };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await api("/sandbox/connect", { headers });
    if (res.status !== 101 || !res.webSocket) throw new Error(`expected 101, got ${res.status}`);
    res.webSocket.accept();
    return new SandboxClient(res.webSocket);
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  sendEvents(events: { seq: number; event: unknown }[]): void {
    this.send({ v: 1, type: "events", events });
  }

  waitFor<T extends ControlFrame["type"]>(
    type: T,
    match: (f: Extract<ControlFrame, { type: T }>) => boolean = () => true,
  ): Promise<Extract<ControlFrame, { type: T }>> {
    return waitFor(`a ${type} frame`, () =>
      this.frames.find((f): f is Extract<ControlFrame, { type: T }> => f.type === type && match(f as never)),
    );
  }

  waitForAck(seq: number) {
    return this.waitFor("ack", (f) => f.seq === seq);
  }

  waitForClose(): Promise<number> {
    return waitFor("the socket to close", () => this.closeCode ?? undefined);
  }

  /** Closes as the runtime does when it stops (1000), or with another code (a dropped link is 1006 on the far side). */
  close(code = 1000): void {
    try {
      this.ws.close(code, "done");
    } catch {
      // already closed
    }
  }
}
