/**
 * The runtime as a real process, started the way every provider now starts it: only the
 * control-plane URL, the session id and a one-time bootstrap token. A front server on 127.0.0.1
 * plays the control plane's exchange (POST /sandbox/bootstrap, answers scripted) and passes the
 * bridge's upgrade through to the in-test protocol server.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RUNTIME_NODE_FLAGS } from "@nightshift/protocol";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterEach, describe, expect, inject, it } from "vitest";
import { seedRepo } from "./git-fixtures";
import { ProtocolServer } from "./protocol-server";

const SANDBOX_TOKEN = "bootstrapped-sandbox-token-0123456789";
const BOOTSTRAP_TOKEN = "one-time-bootstrap-token-abcdef0123456789";
const SECRET = "exchanged-secret-value-42";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The exchange with scripted answers in front of the protocol server (upgrades are piped through). */
async function frontServer(bridgePort: number, answers: [number, unknown][]) {
  const exchanges: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    if (req.method !== "POST" || req.url !== "/sandbox/bootstrap") {
      res.writeHead(404).end();
      return;
    }
    exchanges.push(req.headers.authorization ?? "");
    const [status, body] = answers[Math.min(exchanges.length - 1, answers.length - 1)] ?? [500, {}];
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  server.on("upgrade", (req: IncomingMessage, client: Socket, head: Buffer) => {
    const upstream = connect(bridgePort, "127.0.0.1");
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2)
      lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
    upstream.write(head);
    client.pipe(upstream).pipe(client);
    for (const socket of [client, upstream]) socket.on("error", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, exchanges };
}

function startRuntime(env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, [...RUNTIME_NODE_FLAGS, inject("plumbingBundle")], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", GIT_CONFIG_GLOBAL: "/dev/null", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return { child, output: () => output, exited };
}

async function sandbox() {
  const repo = seedRepo({ "README.md": "hello\n" });
  cleanups.push(() => rmSync(repo.root, { recursive: true, force: true }));
  const dir = mkdtempSync(join(tmpdir(), "ns-bootstrap-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, "work"));
  const server = await ProtocolServer.start({ token: SANDBOX_TOKEN });
  cleanups.push(() => server.stop());
  const answer = {
    env: {
      NIGHTSHIFT_SESSION_ID: "ses_bootstrap",
      NIGHTSHIFT_SANDBOX_TOKEN: SANDBOX_TOKEN,
      NIGHTSHIFT_REPO_URL: repo.origin,
      NIGHTSHIFT_BRANCH: "nightshift/bootstrap",
      NIGHTSHIFT_AGENT: "claude-code",
      NIGHTSHIFT_WORKDIR: join(dir, "work"),
      NIGHTSHIFT_STATE_DIR: join(dir, "state"),
      NIGHTSHIFT_SECRET_NAMES: "EXCHANGED_SECRET",
      EXCHANGED_SECRET: SECRET,
    },
  };
  const bootstrapEnv = (url: string) => ({
    NIGHTSHIFT_CONTROL_PLANE_URL: url,
    NIGHTSHIFT_SESSION_ID: "ses_bootstrap",
    NIGHTSHIFT_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN,
    HOME: join(dir, "home"),
  });
  return { server, answer, bootstrapEnv };
}

describe("runtime process started with a bootstrap token", () => {
  it("exchanges it (retrying a 503), then dials the bridge with the sandbox token it got and never prints the bootstrap token", async () => {
    const { server, answer, bootstrapEnv } = await sandbox();
    const front = await frontServer(Number(new URL(server.url).port), [
      [503, { error: { code: "upstream_unavailable", message: "try again" } }],
      [200, answer],
    ]);
    const run = startRuntime(bootstrapEnv(front.url));
    await waitFor(() => server.framesOfType("ready").length === 1, "ready", 20_000);
    expect(front.exchanges).toEqual([`Bearer ${BOOTSTRAP_TOKEN}`, `Bearer ${BOOTSTRAP_TOKEN}`]);
    expect(server.presentedTokens[0]).toBe(SANDBOX_TOKEN);
    expect(run.output()).toContain("bootstrap exchange failed (HTTP 503 upstream_unavailable: try again)");
    server.send({ v: 1, type: "shutdown", reason: "test done" });
    expect(await run.exited).toBe(0);
    expect(run.output()).not.toContain(BOOTSTRAP_TOKEN);
    expect(JSON.stringify(server.stored)).not.toContain(SECRET);
  });

  it("a 409 (bootstrap token already used) ends the runtime with one clear line and exit code 2", async () => {
    const { server, bootstrapEnv } = await sandbox();
    const front = await frontServer(Number(new URL(server.url).port), [
      [
        409,
        {
          error: {
            code: "bootstrap_token_used",
            message: "this bootstrap token was already exchanged; a bootstrap token works once",
          },
        },
      ],
    ]);
    const run = startRuntime(bootstrapEnv(front.url));
    expect(await run.exited).toBe(2);
    expect(run.output().trim().split("\n")).toEqual([
      "nightshift-runtime: the control plane refused the bootstrap exchange (HTTP 409 bootstrap_token_used: this bootstrap token was already exchanged; a bootstrap token works once)",
    ]);
    expect(front.exchanges).toHaveLength(1);
    expect(server.connections).toBe(0);
  });
});
