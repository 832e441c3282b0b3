/**
 * A sandbox that hangs up while the egress proxy is still deciding must not crash the host: the
 * proxy's answer is then written to a closed socket (EPIPE), and a socket error nobody listens
 * for is an uncaught exception that takes the whole sandbox host down. The name lookup is held
 * open by the test so the hang-up lands exactly in that window, for each way a socket reaches the
 * proxy (a WebSocket upgrade, a CONNECT tunnel, a plain request).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DenialReporter } from "../src/egress/denial-reporter";
import { buildEgressRules } from "../src/egress/egress-policy";
import { EgressProxy } from "../src/egress/egress-proxy";

/** A name lookup the test answers when it chooses. */
class HeldLookup {
  asked: string[] = [];
  private answers: ((addresses: string[]) => void)[] = [];

  readonly lookup = (host: string) =>
    new Promise<string[]>((resolve) => {
      this.asked.push(host);
      this.answers.push(resolve);
    });

  /** Answers every waiting lookup with a private address, which a pattern-allowed host may not use. */
  answerForbidden(): void {
    for (const answer of this.answers.splice(0)) answer(["10.0.0.1"]);
  }
}

describe("egress proxy: a sandbox hanging up mid-request", () => {
  let dir: string;
  let held: HeldLookup;
  let proxy: EgressProxy;
  const uncaught: unknown[] = [];
  const recordUncaught = (error: unknown) => uncaught.push(error);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "ns-egress-hangup-"));
    process.on("uncaughtException", recordUncaught);
  });

  afterAll(() => {
    process.off("uncaughtException", recordUncaught);
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    held = new HeldLookup();
    uncaught.length = 0;
    proxy = await EgressProxy.start({
      socketPath: join(dir, `egress-${Date.now()}.sock`),
      reporter: new DenialReporter(),
      lookup: held.lookup,
      rules: buildEgressRules({
        controlPlaneUrl: "http://127.0.0.1:1",
        hostEnv: {},
        patterns: ["*.registry.test", "*.registry.test:443"],
      }),
    });
  });

  afterEach(async () => {
    held.answerForbidden();
    await proxy.close();
  });

  /** Sends `head`, waits until the proxy is resolving the name, hangs up, then lets it answer. */
  async function hangUpWhileResolving(head: string): Promise<void> {
    const socket: Socket = connect(proxy.socketPath);
    socket.on("error", () => undefined);
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    socket.write(head);
    await waitFor(() => held.asked.length > 0, "the proxy to look the name up");
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.destroy();
    await closed;
    // The proxy now refuses (private address) and writes its 403 to a socket whose peer is gone.
    held.answerForbidden();
    await waitFor(() => proxy.openConnections === 0, "the proxy to let go of the socket");
  }

  it("survives a sandbox that hangs up during a WebSocket upgrade (upgrade EPIPE attack)", async () => {
    await hangUpWhileResolving(
      "GET http://ws.registry.test/feed HTTP/1.1\r\nHost: ws.registry.test\r\n" +
        "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
    );
    expect(uncaught).toEqual([]);
  });

  it("survives a sandbox that hangs up during a CONNECT (tunnel EPIPE attack)", async () => {
    await hangUpWhileResolving(
      "CONNECT pkg.registry.test:443 HTTP/1.1\r\nHost: pkg.registry.test:443\r\n\r\n",
    );
    expect(uncaught).toEqual([]);
  });

  it("survives a sandbox that hangs up during a plain request", async () => {
    await hangUpWhileResolving(
      "GET http://pkg.registry.test/index.json HTTP/1.1\r\nHost: pkg.registry.test\r\n\r\n",
    );
    expect(uncaught).toEqual([]);
  });

  it("still answers the next sandbox request after those hang-ups", async () => {
    await hangUpWhileResolving(
      "CONNECT pkg.registry.test:443 HTTP/1.1\r\nHost: pkg.registry.test:443\r\n\r\n",
    );
    const socket = connect(proxy.socketPath);
    let answer = "";
    socket.on("data", (chunk) => {
      answer += chunk.toString();
    });
    socket.write("CONNECT nowhere.example:443 HTTP/1.1\r\nHost: nowhere.example:443\r\n\r\n");
    await waitFor(() => answer.includes("\r\n\r\n"), "the proxy's refusal");
    expect(answer).toMatch(/^HTTP\/1\.1 403 /);
    socket.destroy();
    expect(uncaught).toEqual([]);
  });
});
