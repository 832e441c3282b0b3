// @vitest-environment node
/**
 * How SessionStream reconnects, against a real WebSocket server on loopback: the backoff it waits
 * after each lost connection (read from the timers it sets: wall-clock time on a shared machine
 * says too little), the states it reports on the way, and what it carries over to the next
 * connection.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { collector, LOG, replay, sendEvents, startServer } from "../../test/stream-server";
import { SessionStream, type StreamHandlers, type StreamOptions } from "./session-stream";

const CONNECT_TIMEOUT_MS = 4321;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  vi.restoreAllMocks();
});

/**
 * Every delay the stream itself waits before an attempt, in order. Only timers set from
 * session-stream.ts count: partysocket, the WebSocket client and the server set their own.
 */
function recordBackoffs(): number[] {
  const delays: number[] = [];
  const real = globalThis.setTimeout;
  vi.spyOn(globalThis, "setTimeout").mockImplementation(((
    fn: (...args: unknown[]) => void,
    ms?: number,
    ...args: unknown[]
  ) => {
    // [0] "Error", [1] this function, [2] the spy, [3] whoever called setTimeout.
    const caller = new Error().stack?.split("\n")[3] ?? "";
    if (/[/\\]stream[/\\]session-stream\.ts/.test(caller)) delays.push(Number(ms));
    return real(fn, ms, ...args);
  }) as typeof setTimeout);
  return delays;
}

async function open(
  onConnect: Parameters<typeof startServer>[0],
  options: Partial<StreamOptions> = {},
  handlers: Partial<StreamHandlers> = {},
) {
  const server = await startServer(onConnect);
  const c = collector();
  const stream = new SessionStream(
    { sessionId: "s1", origin: server.origin, connectTimeoutMs: CONNECT_TIMEOUT_MS, ...options },
    { ...c.handlers, ...handlers },
  );
  cleanups.push(
    () => server.close(),
    () => stream.close(),
  );
  return { server, c, stream };
}

describe("SessionStream reconnect backoff", () => {
  it("waits nothing before the first attempt, then an equal-jitter delay that doubles per lost connection up to its cap, and starts over once a replay completes", async () => {
    const delays = recordBackoffs();
    const { server, c, stream } = await open(
      (conn) => {
        const n = server.conns.length;
        if (n <= 3) conn.socket.terminate();
        else if (n === 4) {
          replay(conn);
          conn.socket.close(1013, "try again later");
        } else replay(conn);
      },
      // Ceilings 200, 400, 500 (capped): with random() = 0.5 the waits are 3/4 of each.
      { backoffMinMs: 200, backoffMaxMs: 500, random: () => 0.5 },
    );
    stream.start();
    await vi.waitFor(() => expect(server.conns).toHaveLength(5), { timeout: 8000 });
    await vi.waitFor(() => expect(c.states.at(-1)).toBe("live"), { timeout: 5000 });
    expect(delays).toEqual([150, 300, 375, 150]);
  });

  it("uses 500 ms as the first ceiling when no backoff is given", async () => {
    const delays = recordBackoffs();
    const { server, c, stream } = await open(
      (conn) => {
        if (server.conns.length === 1) conn.socket.terminate();
        else replay(conn);
      },
      { random: () => 0 },
    );
    stream.start();
    await vi.waitFor(() => expect(c.states.at(-1)).toBe("live"), { timeout: 5000 });
    expect(delays).toEqual([250]);
  });

  it("resumes at once after a gap in the events, and still backs off from the first step when that connection is lost", async () => {
    const delays = recordBackoffs();
    const { server, c, stream } = await open(
      (conn) => {
        const n = server.conns.length;
        if (n === 1) {
          sendEvents(conn.socket, LOG.slice(0, 2));
          sendEvents(conn.socket, LOG.slice(4, 6)); // 3 and 4 never came: a resync
        } else if (n === 2) conn.socket.terminate();
        else replay(conn);
      },
      { backoffMinMs: 200, backoffMaxMs: 5000, random: () => 0.5 },
    );
    stream.start();
    await vi.waitFor(() => expect(c.states.at(-1)).toBe("live"), { timeout: 5000 });
    expect(server.conns.map((conn) => conn.after)).toEqual([0, 2, 2]);
    expect(delays).toEqual([150]);
    expect(c.seqs).toEqual(LOG.map((e) => e.seq));
  });

  it("delivers the events before a gap in the same frame, then resumes after them", async () => {
    const { server, c, stream } = await open(
      (conn) => {
        if (server.conns.length === 1)
          sendEvents(conn.socket, [...LOG.slice(0, 2), LOG[3]!]); // 3 is missing
        else replay(conn);
      },
      { backoffMinMs: 10, backoffMaxMs: 40 },
    );
    stream.start();
    await vi.waitFor(() => expect(c.states.at(-1)).toBe("live"), { timeout: 5000 });
    expect(server.conns.map((conn) => conn.after)).toEqual([0, 2]);
    expect(c.seqs).toEqual(LOG.map((e) => e.seq));
  });
});

describe("SessionStream states and carried-over state", () => {
  it("reports connecting, replaying and live, then reconnecting and replaying again after a drop, and closed when the watcher leaves", async () => {
    const { server, c, stream } = await open(
      (conn) => {
        replay(conn);
        if (server.conns.length === 1) conn.socket.close(1013, "try again later");
      },
      { backoffMinMs: 10, backoffMaxMs: 40 },
    );
    stream.start();
    await vi.waitFor(() => expect(server.conns).toHaveLength(2), { timeout: 5000 });
    await vi.waitFor(() => expect(c.states.filter((s) => s === "live")).toHaveLength(2), { timeout: 5000 });
    stream.close();
    expect(c.states).toEqual([
      "connecting",
      "replaying",
      "live",
      "reconnecting",
      "replaying",
      "live",
      "closed",
    ]);
  });

  it("a second start() opens no second connection", async () => {
    const { c, stream } = await open((conn) => replay(conn));
    stream.start();
    stream.start();
    await vi.waitFor(() => expect(c.states.at(-1)).toBe("live"), { timeout: 5000 });
    expect(c.states).toEqual(["connecting", "replaying", "live"]);
  });

  it("tells the next connection the watcher is still typing", async () => {
    const { server, stream } = await open(
      (conn) => {
        replay(conn);
        // The first connection drops as soon as it hears the watcher is typing.
        conn.socket.on("message", () => {
          if (server.conns.length === 1) conn.socket.terminate();
        });
      },
      { backoffMinMs: 10, backoffMaxMs: 40 },
    );
    stream.start();
    await vi.waitFor(() => expect(server.conns[0]?.socket.readyState).toBe(1), { timeout: 5000 });
    stream.setTyping(true);
    await vi.waitFor(
      () => expect(server.conns[1]?.received).toEqual([{ v: 1, type: "typing", typing: true }]),
      {
        timeout: 5000,
      },
    );
  });

  it("does not announce typing on a new connection once the watcher stopped", async () => {
    const { server, stream } = await open(
      (conn) => {
        replay(conn);
        conn.socket.on("message", (data) => {
          const frame = JSON.parse(String(data));
          if (frame.type === "ping") conn.socket.send(JSON.stringify({ v: 1, type: "pong" }));
          if (frame.typing === false && server.conns.length === 1) conn.socket.close(1013, "try again later");
        });
      },
      { backoffMinMs: 10, backoffMaxMs: 40, pingEveryMs: 300 },
    );
    stream.start();
    await vi.waitFor(() => expect(server.conns[0]?.socket.readyState).toBe(1), { timeout: 5000 });
    stream.setTyping(true);
    stream.setTyping(false);
    // A typing frame would be sent on open, so before the new connection's first ping.
    await vi.waitFor(() => expect(server.conns[1]?.received.length).toBeGreaterThan(0), { timeout: 5000 });
    expect(server.conns[1]?.received[0]).toEqual({ v: 1, type: "ping" });
  });

  it("hands the server's error frames to onServerError with their code and message", async () => {
    const { c, stream } = await open((conn) => {
      conn.socket.send(JSON.stringify({ v: 1, type: "error", code: "rate_limited", message: "slow down" }));
      replay(conn);
    });
    stream.start();
    await vi.waitFor(() => expect(c.states.at(-1)).toBe("live"), { timeout: 5000 });
    expect(c.errors).toEqual(["rate_limited: slow down"]);
  });

  it("resumes after the seq it was given and reports the replay's last seq to onReplayDone", async () => {
    const done: number[] = [];
    const { server, c, stream } = await open(
      (conn) => replay(conn),
      { after: 3 },
      { onReplayDone: (seq: number) => done.push(seq) },
    );
    stream.start();
    await vi.waitFor(() => expect(done).toEqual([LOG.length]), { timeout: 5000 });
    expect(server.conns[0]?.after).toBe(3);
    expect(c.seqs).toEqual(LOG.slice(3).map((e) => e.seq));
    expect(stream.lastSeq).toBe(LOG.length);
  });
  it("needs no handler but onEvents through presence, errors, a drop and a close", async () => {
    const seqs: number[] = [];
    const server = await startServer((conn) => {
      conn.socket.send("not json");
      conn.socket.send(JSON.stringify({ v: 1, type: "error", code: "rate_limited", message: "slow down" }));
      conn.socket.send(JSON.stringify({ v: 1, type: "presence", you: "a", participants: [] }));
      replay(conn);
      if (server.conns.length === 1) conn.socket.close(1013, "try again later");
    });
    const stream = new SessionStream(
      { sessionId: "s1", origin: server.origin, backoffMinMs: 10, backoffMaxMs: 40 },
      { onEvents: (events) => seqs.push(...events.map((e) => e.seq)) },
    );
    cleanups.push(() => server.close());
    stream.start();
    await vi.waitFor(() => expect(server.conns).toHaveLength(2), { timeout: 5000 });
    await vi.waitFor(() => expect(server.conns[1]?.socket.readyState).toBe(1), { timeout: 5000 });
    stream.close();
    expect(seqs).toEqual(LOG.map((e) => e.seq));
  });

  it("a new watcher announces no typing: its first frame is a ping", async () => {
    const { server, stream } = await open(
      (conn) => {
        replay(conn);
        conn.socket.on("message", () => conn.socket.send(JSON.stringify({ v: 1, type: "pong" })));
      },
      { pingEveryMs: 300 },
    );
    stream.start();
    await vi.waitFor(() => expect(server.conns[0]?.received.length).toBeGreaterThan(0), { timeout: 5000 });
    expect(server.conns[0]?.received[0]).toEqual({ v: 1, type: "ping" });
  });
});
