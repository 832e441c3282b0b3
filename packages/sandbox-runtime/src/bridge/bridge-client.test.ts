import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterEach, describe, expect, it } from "vitest";
import { ProtocolServer } from "../../test/protocol-server";
import { EventBuffer } from "../buffer/event-buffer";
import { silentLogger } from "../log";
import { BridgeClient, bridgeUrl, type InboundControl } from "./bridge-client";
import type { FinalOutcome } from "./close-codes";
import { SandboxToken } from "./sandbox-token";

const TOKEN = "test-sandbox-token-0123456789";
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: { refuseWith?: number; maxBytes?: number; random?: () => number } = {}) {
  const server = await ProtocolServer.start({ token: TOKEN, ...options });
  const dir = mkdtempSync(join(tmpdir(), "ns-bridge-"));
  const buffer = new EventBuffer({ dir, maxBytes: options.maxBytes ?? 1 << 26, segmentBytes: 8192 });
  const controls: InboundControl[] = [];
  const finals: FinalOutcome[] = [];
  const token = new SandboxToken(TOKEN);
  const client = new BridgeClient({
    controlPlaneUrl: server.url,
    token,
    runtimeVersion: "test",
    buffer,
    onControl: (frame) => controls.push(frame),
    onFinal: (outcome) => finals.push(outcome),
    log: silentLogger,
    heartbeatMs: 40,
    backoff: { baseMs: 5, capMs: 40, ...(options.random ? { random: options.random } : {}) },
  });
  cleanups.push(
    () => server.stop(),
    () => rmSync(dir, { recursive: true, force: true }),
    () => buffer.close(),
    () => client.stop(),
  );
  const append = (n: number) => {
    buffer.append({ type: "log", source: "t", stream: "stdout", text: `event ${n}` });
    client.notify();
  };
  return { server, buffer, client, controls, finals, append, token };
}

describe("bridgeUrl", () => {
  it("maps http(s) to ws(s) and keeps a base path", () => {
    expect(bridgeUrl("http://127.0.0.1:8787")).toBe("ws://127.0.0.1:8787/sandbox/connect");
    expect(bridgeUrl("https://ns.example.com/base/")).toBe("wss://ns.example.com/base/sandbox/connect");
  });
});

describe("BridgeClient", () => {
  it("says hello, resends the backlog after welcome, then streams live events and heartbeats", async () => {
    const { server, buffer, client, append } = await setup();
    for (let i = 1; i <= 1200; i++) append(i);
    client.start();
    await waitFor(() => server.ackedSeq === 1200, "the backlog to be stored");
    const hello = server.framesOfType("hello")[0]!;
    expect(hello).toMatchObject({ v: 1, runtimeVersion: "test", lastSeq: 1200 });
    // ≤ 500 events per frame.
    expect(Math.max(...server.framesOfType("events").map((f) => f.events.length))).toBeLessThanOrEqual(500);
    for (let i = 1201; i <= 1210; i++) append(i);
    await waitFor(() => server.ackedSeq === 1210, "live events");
    await waitFor(() => buffer.ackedSeq === 1210, "acks to reach the buffer");
    await waitFor(() => server.framesOfType("heartbeat").length >= 2, "heartbeats");
    expect(server.stored.map((s) => s.seq)).toEqual(Array.from({ length: 1210 }, (_, i) => i + 1));
    expect(server.violations).toEqual([]);
  });

  it("delivers every seq exactly once, in order, across 20 dropped connections", async () => {
    const { server, buffer, client, append } = await setup();
    // Every 3rd events frame is lost with its connection, until 20 connections were cut.
    let drops = 0;
    server.onEventsFrame = (index) => {
      if (index % 3 !== 0 || drops >= 20) return "store";
      drops += 1;
      return "drop";
    };
    client.start();
    const total = 6000;
    for (let n = 1; n <= total; n++) {
      append(n);
      // Produce in bursts, while connected, so many frames flow and connections are cut mid-stream.
      if (n % 25 === 0) {
        await new Promise((resolve) => setImmediate(resolve));
        await waitFor(() => client.isConnected, "a connection");
      }
    }
    await waitFor(() => server.ackedSeq === total, "all events after 20 drops", 20_000);
    expect(drops).toBe(20);
    expect(server.connections).toBeGreaterThanOrEqual(21);
    expect(server.stored.map((s) => s.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(server.stored.map((s) => (s.event as { text: string }).text)).toEqual(
      Array.from({ length: total }, (_, i) => `event ${i + 1}`),
    );
    expect(server.violations).toEqual([]);
    await waitFor(() => buffer.ackedSeq === total && buffer.bytesOnDisk === 0, "the buffer to be trimmed");
  });

  it("sends ready after the events buffered before it, and again after a reconnect while idle", async () => {
    const { server, client, append } = await setup();
    for (let i = 1; i <= 3; i++) append(i);
    client.setIdle(true);
    client.start();
    await waitFor(() => server.framesOfType("ready").length === 1, "ready");
    const kinds = server.frames.map((f) => f.type);
    expect(kinds.indexOf("ready")).toBeGreaterThan(kinds.lastIndexOf("events"));
    server.drop();
    await waitFor(() => server.framesOfType("ready").length === 2, "ready after the reconnect");
    client.setIdle(false);
    server.drop();
    await waitFor(() => server.framesOfType("hello").length === 3, "a third hello");
    await waitFor(() => client.isConnected, "the third connection");
    expect(server.framesOfType("ready")).toHaveLength(2);
  });

  it("hands valid control frames over and ignores malformed or unknown ones", async () => {
    const { server, client, controls } = await setup();
    client.start();
    await waitFor(() => client.isConnected, "connection");
    server.send("not json");
    server.send(JSON.stringify({ v: 1, type: "explode" }));
    server.send(JSON.stringify({ v: 1, type: "prompt", promptId: "p1" }));
    server.send({
      v: 1,
      type: "prompt",
      promptId: "p2",
      text: "hi",
      author: { name: "Ada", email: "ada@example.com" },
    });
    server.send({ v: 1, type: "cancel" });
    await waitFor(() => controls.length === 2, "two control frames");
    expect(controls.map((c) => c.type)).toEqual(["prompt", "cancel"]);
    expect(client.isConnected).toBe(true);
  });

  it("continues numbering after the control plane's seq when it has more than the runtime", async () => {
    const { server, buffer, client, append } = await setup();
    server.welcomeSeq = () => 100;
    server.ackedSeq = 100;
    client.start();
    await waitFor(() => client.isConnected, "connection");
    append(1);
    await waitFor(() => server.stored.length === 1, "the event");
    expect(server.stored[0]!.seq).toBe(101);
    expect(buffer.lastSeq).toBe(101);
  });

  it.each([
    [4001, 1],
    [4009, 1],
    [4010, 0],
  ])("stops for good on close code %i (exit %i)", async (code, exitCode) => {
    // Every reconnect is scheduled with a delay drawn from the backoff: count the draws.
    let reconnectsScheduled = 0;
    const { server, client, finals } = await setup({
      random: () => {
        reconnectsScheduled += 1;
        return 0;
      },
    });
    client.start();
    await waitFor(() => client.isConnected, "connection");
    server.close(code, "go away");
    await waitFor(() => finals.length === 1, "the final outcome");
    expect(finals[0]!.exitCode).toBe(exitCode);
    expect(finals[0]!.message).toContain(String(code));
    // No reconnect follows: none was scheduled when the close was handled, and none opened since.
    expect(reconnectsScheduled).toBe(0);
    expect(client.connectionCount).toBe(1);
    expect(server.connections).toBe(1);
  });

  it("reconnects after an ordinary close", async () => {
    const { server, client } = await setup();
    client.start();
    await waitFor(() => client.isConnected, "connection");
    server.close(1011, "restarting");
    await waitFor(() => server.connections === 2 && client.isConnected, "a reconnect");
  });

  it("treats an HTTP 401 answer to the upgrade as final", async () => {
    const { client, finals } = await setup({ refuseWith: 401 });
    client.start();
    await waitFor(() => finals.length === 1, "the final outcome");
    expect(finals[0]).toMatchObject({ exitCode: 1 });
    expect(finals[0]!.message).toMatch(/HTTP 401/);
  });

  it("flush resolves once everything is acked", async () => {
    const { server, client, append } = await setup();
    append(1);
    append(2);
    client.start();
    expect(await client.flush(5000)).toBe(true);
    expect(server.ackedSeq).toBe(2);
  });
  it("keeps the renewed sandbox token and presents it when it reconnects", async () => {
    const { server, client, controls, token } = await setup();
    client.start();
    await waitFor(() => client.isConnected, "connection");
    const expiresAt = new Date(Date.now() + 3600_000).toISOString();
    server.tokens.add("renewed-token-0123456789");
    server.send({ v: 1, type: "token", token: "renewed-token-0123456789", expiresAt });
    await waitFor(() => token.current() === "renewed-token-0123456789", "the renewed token");
    expect(token.expiresAt).toBe(Date.parse(expiresAt));
    // A replayed older renewal never replaces a newer token.
    server.send({ v: 1, type: "token", token: "stale", expiresAt: new Date(Date.now()).toISOString() });
    server.tokens.delete(TOKEN);
    server.drop();
    await waitFor(() => server.connections === 2 && client.isConnected, "a reconnect with the renewed token");
    expect(server.presentedTokens).toEqual([TOKEN, "renewed-token-0123456789"]);
    expect(controls.filter((c) => (c as { type: string }).type === "token")).toEqual([]);
  });
});
