import { mkdtempSync, rmSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AgentEvent, EGRESS_DENIALS_PATH, SANDBOX_EGRESS_PORT } from "@nightshift/protocol";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterEach, describe, expect, it } from "vitest";
import { startSandboxNetwork } from "./sandbox-network";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A stand-in for the host's proxy socket: answers requests and serves the denials stream. */
async function hostSocket(): Promise<{
  path: string;
  server: Server;
  subscribers: () => number;
  deny: (line: string) => void;
}> {
  const dir = mkdtempSync(join(tmpdir(), "ns-net-"));
  const path = join(dir, "egress.sock");
  const streams: ((line: string) => void)[] = [];
  const server = createServer((req, res) => {
    if (req.url === EGRESS_DENIALS_PATH) {
      res.writeHead(200, { "content-type": "application/x-ndjson" });
      res.flushHeaders();
      streams.push((line) => res.write(line));
      return;
    }
    res.end(`proxied ${req.method} ${req.url}`);
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  cleanups.push(() => {
    server.closeAllConnections();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    path,
    server,
    subscribers: () => streams.length,
    deny: (line) => {
      for (const write of streams) write(line);
    },
  };
}

function get(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve(body));
    });
    req.on("error", reject);
    req.end();
  });
}

/** The runtime's forwarder on a free loopback port, piping to `socketPath`; closed after the test. */
async function forwarderTo(socketPath: string) {
  const started = await startSandboxNetwork({
    NIGHTSHIFT_EGRESS_SOCKET: socketPath,
    NIGHTSHIFT_EGRESS_PORT: 0,
  });
  if (!started.ok) throw new Error(started.problem);
  cleanups.push(() => started.network.close());
  return started.network;
}

describe("the sandbox network", () => {
  it("does nothing when the network is shared (no egress socket)", async () => {
    const started = await startSandboxNetwork({});
    if (!started.ok) throw new Error(started.problem);
    expect(started.network.port).toBe(0);
    const events: AgentEvent[] = [];
    started.network.reportDenials((event) => events.push(event));
    await expect(started.network.close()).resolves.toBeUndefined();
    expect(events).toEqual([]);
  });

  it("listens on the protocol's egress port when none is given", async () => {
    const host = await hostSocket();
    const started = await startSandboxNetwork({ NIGHTSHIFT_EGRESS_SOCKET: host.path });
    if (started.ok) {
      cleanups.push(() => started.network.close());
      expect(started.network.port).toBe(SANDBOX_EGRESS_PORT);
    } else {
      // Another process on this machine (a parallel test run) holds the port: the refusal names it.
      expect(started.problem).toBe(
        `cannot listen on 127.0.0.1:${SANDBOX_EGRESS_PORT} for the egress proxy (EADDRINUSE)`,
      );
    }
  });

  it("forwards connections on its loopback port to the host's socket", async () => {
    const host = await hostSocket();
    const started = { network: await forwarderTo(host.path) };
    const port = started.network.port;
    expect(await get(port, "/sandbox/connect")).toBe("proxied GET /sandbox/connect");
  });

  it("turns each denial line into an egress log event and skips lines that do not parse", async () => {
    const host = await hostSocket();
    const started = { network: await forwarderTo(host.path) };
    const events: AgentEvent[] = [];
    started.network.reportDenials((event) => events.push(event));
    await waitFor(() => host.subscribers() > 0, "the runtime to follow the denials stream");
    const line = JSON.stringify({
      target: "CONNECT evil.example.com:443",
      reason: "not allowed",
      repeats: 2,
    });
    host.deny(`not json\n${line}\n`);
    await waitFor(() => events.length > 0, "the denial as an event");
    expect(events[0]).toEqual({
      type: "log",
      source: "egress",
      stream: "stderr",
      text: "egress denied: CONNECT evil.example.com:443: not allowed (and 2 more like it)\n",
    });
  });

  it("says which port it could not listen on", async () => {
    const host = await hostSocket();
    const first = { network: await forwarderTo(host.path) };
    const taken = first.network.port;
    const second = await startSandboxNetwork({
      NIGHTSHIFT_EGRESS_SOCKET: host.path,
      NIGHTSHIFT_EGRESS_PORT: taken,
    });
    expect(second).toEqual({
      ok: false,
      problem: `cannot listen on 127.0.0.1:${taken} for the egress proxy (EADDRINUSE)`,
    });
  });
});
