/** The session stream's promises: every event exactly once and in order, across drops and gaps. */
import type { StoredEvent } from "@nightshift/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { ApiError, createClient } from "../src/index.ts";
import { eventsFrame, type FakeControlPlane, json, startFakeControlPlane } from "./fake-control-plane.ts";

const SESSION = "0123456789abcdefghijklmnop";
const KEY = "nsk_test_key";
const SESSION_BODY = {
  id: SESSION,
  tenantId: "t1",
  title: "t",
  repo: { kind: "local", path: "demo" },
  agent: "claude-code",
  model: null,
  status: "running",
  trigger: "api",
  createdBy: "u1",
  branch: "nightshift/x",
  costUsd: 0,
  prUrl: null,
  createdAt: new Date(0).toISOString(),
  updatedAt: new Date(0).toISOString(),
};

let server: FakeControlPlane | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const fastBackoff = { baseMs: 5, capMs: 20 };

function collect(until: number) {
  const seen: number[] = [];
  return {
    seen,
    onEvent: (e: StoredEvent) => {
      seen.push(e.seq);
      return e.seq >= until ? ("stop" as const) : undefined;
    },
  };
}

describe("streamEvents", () => {
  it("resumes from the last seq after a dropped connection, skipping the events sent again", async () => {
    server = await startFakeControlPlane(
      (_req, res) => json(res, 200, SESSION_BODY),
      ({ socket }) => {
        if (server?.upgrades.length === 1) {
          socket.send(eventsFrame([1, 2, 3]));
          // Cut it without a close frame, as a network drop would.
          setTimeout(() => socket.terminate(), 20);
        } else {
          socket.send(eventsFrame([2, 3, 4, 5]));
        }
      },
    );
    const client = createClient({ baseUrl: server.url, apiKey: KEY });
    const sink = collect(5);
    await client.streamEvents(SESSION, { onEvent: sink.onEvent, backoff: fastBackoff });
    expect(sink.seen).toEqual([1, 2, 3, 4, 5]);
    expect(server.upgrades.map((u) => u.url.searchParams.get("after"))).toEqual(["0", "3"]);
    expect(server.upgrades[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it("a gap in the seqs forces a resume from the cursor instead of delivering out of order", async () => {
    server = await startFakeControlPlane(
      (_req, res) => json(res, 200, SESSION_BODY),
      ({ socket, url }) => {
        if (url.searchParams.get("after") === "0") socket.send(eventsFrame([1, 2, 4]));
        else socket.send(eventsFrame([3, 4]));
      },
    );
    const client = createClient({ baseUrl: server.url, apiKey: KEY });
    const sink = collect(4);
    await client.streamEvents(SESSION, { onEvent: sink.onEvent, backoff: fastBackoff });
    expect(sink.seen).toEqual([1, 2, 3, 4]);
    expect(server.upgrades.map((u) => u.url.searchParams.get("after"))).toEqual(["0", "2"]);
  });

  it("starts after `from` and uses the tenant path when a tenant is named", async () => {
    server = await startFakeControlPlane(
      (_req, res) => json(res, 200, SESSION_BODY),
      ({ socket }) => socket.send(eventsFrame([8, 9, 10])),
    );
    const client = createClient({ baseUrl: server.url, apiKey: KEY, tenant: "acme" });
    const sink = collect(10);
    await client.streamEvents(SESSION, { from: 8, onEvent: sink.onEvent });
    expect(sink.seen).toEqual([9, 10]);
    expect(server.upgrades[0]?.url.pathname).toBe(`/api/v1/tenants/acme/sessions/${SESSION}/stream`);
  });

  it("a refused upgrade for an unknown session rejects with the API's 404, not an endless retry", async () => {
    server = await startFakeControlPlane(
      (_req, res) => json(res, 404, { error: { code: "session_not_found", message: "no such session" } }),
      () => {},
      () => 404,
    );
    const client = createClient({ baseUrl: server.url, apiKey: KEY });
    const failure = await client
      .streamEvents(SESSION, { onEvent: () => undefined, backoff: fastBackoff })
      .catch((e) => e);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).status).toBe(404);
    expect((failure as ApiError).code).toBe("session_not_found");
  });

  it("a server that stays unreachable gives up after maxConsecutiveFailures", async () => {
    server = await startFakeControlPlane(
      (_req, res) => json(res, 503, { error: { code: "upstream_unavailable", message: "down" } }),
      () => {},
      () => 503,
    );
    const client = createClient({ baseUrl: server.url, apiKey: KEY });
    const failure = await client
      .streamEvents(SESSION, { onEvent: () => undefined, backoff: fastBackoff, maxConsecutiveFailures: 3 })
      .catch((e) => e);
    expect((failure as ApiError).status).toBe(503);
    expect(server.requests.filter((r) => r.method === "GET").length).toBe(3);
  });

  it("a socket that goes silent (no frames, no pongs) is replaced", async () => {
    server = await startFakeControlPlane(
      (_req, res) => json(res, 200, SESSION_BODY),
      ({ socket, url }) => {
        // The first socket never answers anything, pings included.
        if (url.searchParams.get("after") !== "0" || (server?.upgrades.length ?? 0) > 1) {
          socket.send(eventsFrame([1]));
        }
      },
    );
    const client = createClient({ baseUrl: server.url, apiKey: KEY });
    const sink = collect(1);
    await client.streamEvents(SESSION, { onEvent: sink.onEvent, backoff: fastBackoff, pingEveryMs: 50 });
    expect(sink.seen).toEqual([1]);
    expect(server.upgrades.length).toBe(2);
  });

  it("aborting the signal ends the stream", async () => {
    server = await startFakeControlPlane(
      (_req, res) => json(res, 200, SESSION_BODY),
      ({ socket }) => socket.send(eventsFrame([1])),
    );
    const client = createClient({ baseUrl: server.url, apiKey: KEY });
    const abort = new AbortController();
    const seen: number[] = [];
    await client.streamEvents(SESSION, {
      signal: abort.signal,
      onEvent: (e) => {
        seen.push(e.seq);
        abort.abort();
      },
    });
    expect(seen).toEqual([1]);
  });
});
