// @vitest-environment node
/**
 * SessionStream against a real WebSocket server on loopback that speaks the client-socket
 * protocol, scripted per test to drop, overlap, skip or misbehave the way a network can.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { ClientCloseCode } from "@nightshift/protocol";
import { afterEach, describe, expect, it, vi } from "vitest";
import { WebSocketServer } from "ws";
import { collector, LOG, replay, sendEvents, startServer } from "../../test/stream-server";
import { SessionStream, streamUrl } from "./session-stream";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function track(stream: SessionStream, server: { close(): Promise<void> }) {
  cleanups.push(
    () => server.close(),
    () => stream.close(),
  );
}

const fast = { backoffMinMs: 10, backoffMaxMs: 40, random: () => 0.5 };

describe("SessionStream", () => {
  it("builds ws/wss URLs with the cursor and the display name", () => {
    expect(streamUrl("http://127.0.0.1:8787", "abc", 12, "Ada L")).toBe(
      "ws://127.0.0.1:8787/api/v1/sessions/abc/stream?after=12&name=Ada+L",
    );
    expect(streamUrl("https://ns.example", "abc", 0)).toBe(
      "wss://ns.example/api/v1/sessions/abc/stream?after=0",
    );
  });

  it("puts the tenant in the path, encodes the session id and sends at most 80 characters of the name", () => {
    expect(streamUrl("http://127.0.0.1:8787", "a b", 3, "x".repeat(100), "t1")).toBe(
      `ws://127.0.0.1:8787/api/v1/tenants/t1/sessions/a%20b/stream?after=3&name=${"x".repeat(80)}`,
    );
  });

  it("replays the backlog in order and goes live", async () => {
    const server = await startServer((c) => replay(c));
    const c = collector();
    const stream = new SessionStream({ sessionId: "s1", origin: server.origin, ...fast }, c.handlers);
    track(stream, server);
    stream.start();
    await vi.waitFor(() => expect(c.states.at(-1)).toBe("live"), { timeout: 5000 });
    expect(c.seqs).toEqual(LOG.map((e) => e.seq));
    expect(stream.lastSeq).toBe(LOG.length);
  });

  it("resumes after a dropped connection from its cursor, without duplicates or gaps", async () => {
    const server = await startServer((conn) => {
      if (server.conns.length === 1) {
        // First connection: half the log, then the network dies without a close frame.
        sendEvents(conn.socket, LOG.slice(0, 6));
        conn.socket.terminate();
      } else {
        // The server replays a little more than asked (overlap), as a racing live batch would.
        sendEvents(conn.socket, LOG.slice(Math.max(0, conn.after - 2)));
        conn.socket.send(JSON.stringify({ v: 1, type: "replay.done", lastSeq: LOG.length }));
      }
    });
    const c = collector();
    const stream = new SessionStream({ sessionId: "s1", origin: server.origin, ...fast }, c.handlers);
    track(stream, server);
    stream.start();
    await vi.waitFor(() => expect(c.seqs).toHaveLength(LOG.length), { timeout: 5000 });
    expect(server.conns[1]?.after).toBe(6);
    expect(c.seqs).toEqual(LOG.map((e) => e.seq));
    expect(c.states).toContain("reconnecting");
  });

  it("resumes from the cursor when a frame skips events", async () => {
    const server = await startServer((conn) => {
      if (server.conns.length === 1) {
        sendEvents(conn.socket, LOG.slice(0, 2));
        sendEvents(conn.socket, LOG.slice(4, 6)); // seq 5 and 6: 3 and 4 never came
      } else {
        replay(conn);
      }
    });
    const c = collector();
    const stream = new SessionStream({ sessionId: "s1", origin: server.origin, ...fast }, c.handlers);
    track(stream, server);
    stream.start();
    await vi.waitFor(() => expect(c.seqs).toHaveLength(LOG.length), { timeout: 5000 });
    expect(server.conns[1]?.after).toBe(2);
    expect(c.seqs).toEqual(LOG.map((e) => e.seq));
  });

  it("reports malformed frames and keeps going", async () => {
    const server = await startServer((conn) => {
      conn.socket.send("not json");
      conn.socket.send(JSON.stringify({ v: 1, type: "teleport" }));
      conn.socket.send(JSON.stringify({ v: 1, type: "events", events: [{ seq: "one" }] }));
      replay(conn);
    });
    const c = collector();
    const stream = new SessionStream({ sessionId: "s1", origin: server.origin, ...fast }, c.handlers);
    track(stream, server);
    stream.start();
    await vi.waitFor(() => expect(c.states.at(-1)).toBe("live"), { timeout: 5000 });
    expect(c.errors).toHaveLength(3);
    expect(c.errors[0]).toContain("not valid JSON");
    expect(c.errors[1]).toContain("unknown frame type");
    expect(c.seqs).toHaveLength(LOG.length);
  });

  it("sends typing changes once each, and presence reaches the handler", async () => {
    const server = await startServer((conn) => {
      replay(conn);
      conn.socket.send(
        JSON.stringify({
          v: 1,
          type: "presence",
          you: "a",
          participants: [{ id: "a", name: "Ada", typing: false, connectedAt: new Date().toISOString() }],
        }),
      );
    });
    const c = collector();
    const presence: string[] = [];
    const stream = new SessionStream(
      { sessionId: "s1", origin: server.origin, name: "Ada", ...fast },
      { ...c.handlers, onPresence: (you, ps) => presence.push(`${you}:${ps.map((p) => p.name).join(",")}`) },
    );
    track(stream, server);
    stream.start();
    await vi.waitFor(() => expect(presence).toEqual(["a:Ada"]), { timeout: 5000 });
    stream.setTyping(true);
    stream.setTyping(true);
    stream.setTyping(false);
    const conn = server.conns[0]!;
    await vi.waitFor(() => expect(conn.received).toHaveLength(2), { timeout: 5000 });
    expect(conn.received).toEqual([
      { v: 1, type: "typing", typing: true },
      { v: 1, type: "typing", typing: false },
    ]);
  });

  it.each(Object.entries(ClientCloseCode))(
    "resumes from its cursor after the server closes with %s (%i), as after a failed send",
    async (_name, code) => {
      const server = await startServer((conn) => {
        if (server.conns.length === 1) {
          sendEvents(conn.socket, LOG.slice(0, 6));
          conn.socket.close(code, "a frame could not be delivered");
        } else {
          replay(conn);
        }
      });
      const c = collector();
      const stream = new SessionStream({ sessionId: "s1", origin: server.origin, ...fast }, c.handlers);
      track(stream, server);
      stream.start();
      await vi.waitFor(() => expect(c.states.at(-1)).toBe("live"), { timeout: 5000 });
      expect(server.conns[1]?.after).toBe(6);
      expect(c.seqs).toEqual(LOG.map((e) => e.seq));
      expect(c.errors).toEqual([]);
    },
  );

  it("backs off between failed attempts and recovers when the server returns", async () => {
    let accept = false;
    const server = await startServer((conn) => {
      if (!accept) conn.socket.terminate();
      else replay(conn);
    });
    const c = collector();
    const stream = new SessionStream({ sessionId: "s1", origin: server.origin, ...fast }, c.handlers);
    track(stream, server);
    stream.start();
    await vi.waitFor(() => expect(server.conns.length).toBeGreaterThanOrEqual(3), { timeout: 5000 });
    accept = true;
    await vi.waitFor(() => expect(c.states.at(-1)).toBe("live"), { timeout: 5000 });
    expect(c.seqs).toEqual(LOG.map((e) => e.seq));
  });
});

describe("SessionStream against a silent network", () => {
  it("black-holed connect: an attempt that never opens is abandoned after the connect timeout and retried", async () => {
    // The first upgrade request is accepted at TCP level and never answered, as a dead route would.
    const http = createServer();
    const wss = new WebSocketServer({ noServer: true });
    const held: Duplex[] = [];
    let upgrades = 0;
    http.on("upgrade", (req, socket, head) => {
      upgrades += 1;
      if (upgrades === 1) {
        held.push(socket);
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        const after = Number(new URL(req.url ?? "/", "http://x").searchParams.get("after"));
        replay({ socket: ws, after, received: [] });
      });
    });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", () => resolve()));
    const { port } = http.address() as AddressInfo;
    const c = collector();
    const stream = new SessionStream(
      { sessionId: "s1", origin: `http://127.0.0.1:${port}`, ...fast, connectTimeoutMs: 300 },
      c.handlers,
    );
    cleanups.push(
      () => new Promise<void>((resolve) => http.close(() => resolve())),
      () => {
        for (const s of held) s.destroy();
        wss.close();
      },
      () => stream.close(),
    );
    stream.start();
    await vi.waitFor(() => expect(c.states.at(-1)).toBe("live"), { timeout: 5000 });
    expect(upgrades).toBe(2);
    expect(c.seqs).toEqual(LOG.map((e) => e.seq));
  });
});

describe("SessionStream keepalive", () => {
  it("pings while the server answers, and reconnects from its cursor after two silent ping periods", async () => {
    const server = await startServer((conn) => {
      replay(conn);
      if (server.conns.length > 1) return;
      // The first connection answers two pings, then goes silent without closing.
      let answered = 0;
      conn.socket.on("message", (data) => {
        if (JSON.parse(String(data)).type !== "ping" || answered >= 2) return;
        answered += 1;
        conn.socket.send(JSON.stringify({ v: 1, type: "pong" }));
      });
    });
    const c = collector();
    const stream = new SessionStream(
      // Long enough that a pong delayed by a busy machine still lands within its period.
      { sessionId: "s1", origin: server.origin, ...fast, pingEveryMs: 300 },
      c.handlers,
    );
    track(stream, server);
    stream.start();
    await vi.waitFor(() => expect(server.conns.length).toBe(2), { timeout: 8000 });
    const first = server.conns[0]!;
    expect(
      first.received.filter((f) => (f as { type: string }).type === "ping").length,
    ).toBeGreaterThanOrEqual(3);
    expect(server.conns[1]?.after).toBe(LOG.length);
    await vi.waitFor(() => expect(c.states.at(-1)).toBe("live"), { timeout: 5000 });
    expect(c.seqs).toEqual(LOG.map((e) => e.seq));
    expect(c.errors).toEqual([]);
  });
});
