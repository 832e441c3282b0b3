/** Test helpers: call the real Worker, open real WebSockets, wait on conditions with timeouts. */

import { env, exports } from "cloudflare:workers";
import type { AgentEventInput, ServerFrame, Session, StoredEvent } from "@nightshift/protocol";
import { waitFor as waitUntil } from "../../testkit/src/wait-for";
import type { EventsPageResult, RpcResult } from "../src/session/rpc-types";

import { type Identity, localOwner } from "./identities";
import type { TestSessionAgent } from "./support/test-session-agent";

const BASE = "http://nightshift.test";

export { browserHeaders, createTenant, type Identity, joinTenant } from "./identities";

let defaultCaller: Promise<Identity> | undefined;

/** Who `api()` calls as unless told otherwise: the local tenant's owner, with an API key made once per file. */
export function defaultIdentity(): Promise<Identity> {
  defaultCaller ??= localOwner();
  return defaultCaller;
}

/** Called as each file starts (test/fresh-database.ts): files share this module, not their database. */
export function forgetDefaultIdentity(): void {
  defaultCaller = undefined;
}

/** Who a request is made as: an identity (its API key), raw credential headers, or null for nobody. */
export type Caller = Identity | Record<string, string> | null;

async function credentialsFor(as: Caller | undefined, headers: Headers): Promise<Record<string, string>> {
  if (as === undefined) {
    return headers.has("authorization") || headers.has("cookie") ? {} : (await defaultIdentity()).bearer;
  }
  if (as === null) return {};
  return "bearer" in as && typeof as.bearer === "object"
    ? (as as Identity).bearer
    : (as as Record<string, string>);
}

/** Calls the Worker: by default as the local owner (API key); `as` picks another caller or none (null). */
export async function api(path: string, init: RequestInit = {}, as?: Caller): Promise<Response> {
  const headers = new Headers(init.headers);
  for (const [k, v] of Object.entries(await credentialsFor(as, headers)))
    if (!headers.has(k)) headers.set(k, v);
  return exports.default.fetch(new Request(`${BASE}${path}`, { ...init, headers }));
}

export function postJson(
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
  as?: Caller,
): Promise<Response> {
  return api(
    path,
    {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    },
    as,
  );
}

export async function createSession(
  prompt = "Add a README",
  extra: Record<string, unknown> = {},
): Promise<Session> {
  const res = await postJson("/api/v1/sessions", { repo: { kind: "local", path: "demo" }, prompt, ...extra });
  if (res.status !== 201) throw new Error(`create session failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as Session;
}

/** The session's DO as the test worker binds it: TestSessionAgent, with the test-only RPCs. */
export function sessionStub(id: string) {
  return (env.SESSION_AGENT as unknown as DurableObjectNamespace<TestSessionAgent>).getByName(id);
}

/** RPC results cross the DO boundary wrapped in Disposable, which defeats narrowing: unwrap here. */
export function unwrapRpc<T>(result: unknown): T {
  const r = result as RpcResult<T>;
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
  return r.value;
}

export async function appendEvents(session: Session, events: AgentEventInput[]) {
  const result = await sessionStub(session.id).appendEvents(session.tenantId, events);
  if (!result.ok) throw new Error(result.message);
  return result.value;
}

/** Every seq currently in the session's log, read through RPC. */
export async function logSeqs(session: Session): Promise<number[]> {
  const page = unwrapRpc<EventsPageResult>(
    await sessionStub(session.id).readEvents(session.tenantId, 0, 1000),
  );
  return page.events.map((e) => e.seq);
}

export function deltas(n: number, from = 0): AgentEventInput[] {
  return Array.from({ length: n }, (_, i) => ({
    type: "message.delta",
    messageId: "m1",
    text: `t${from + i}`,
  }));
}

/** `waitUntil` from testkit with the subject first, as these tests read best. */
export function waitFor<T>(
  what: string,
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 5000,
): Promise<T> {
  return waitUntil(check, what, timeoutMs);
}

/** A WebSocket client that records every frame and the events it has seen. */
export class StreamClient {
  readonly frames: ServerFrame[] = [];
  readonly events: StoredEvent[] = [];
  closed = false;

  private constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (m) => {
      const frame = JSON.parse(String(m.data)) as ServerFrame;
      this.frames.push(frame);
      if (frame.type === "events") this.events.push(...frame.events);
    });
    ws.addEventListener("close", () => {
      this.closed = true;
    });
  }

  static async open(sessionId: string, query = "", as?: Caller): Promise<StreamClient> {
    const res = await api(
      `/api/v1/sessions/${sessionId}/stream${query}`,
      { headers: { upgrade: "websocket" } },
      as,
    );
    if (res.status !== 101 || !res.webSocket)
      throw new Error(`expected 101, got ${res.status}: ${await res.text()}`);
    res.webSocket.accept();
    return new StreamClient(res.webSocket);
  }

  get seqs(): number[] {
    return this.events.map((e) => e.seq);
  }

  get lastSeq(): number {
    return this.events.at(-1)?.seq ?? 0;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  waitForSeq(seq: number, timeoutMs = 5000): Promise<true> {
    return waitFor(`event seq ${seq} (have ${this.lastSeq})`, () => this.lastSeq >= seq, timeoutMs);
  }

  waitForFrame<T extends ServerFrame["type"]>(
    type: T,
    match: (f: Extract<ServerFrame, { type: T }>) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<Extract<ServerFrame, { type: T }>> {
    return waitFor(
      `a ${type} frame`,
      () =>
        this.frames.find((f): f is Extract<ServerFrame, { type: T }> => f.type === type && match(f as never)),
      timeoutMs,
    );
  }

  close(): void {
    this.ws.close(1000, "test done");
  }
}
