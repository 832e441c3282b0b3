/**
 * The runtime as a real process (the plumbing bundle from test/fixtures: the real runtime with a
 * stand-in runTurn), against the in-test protocol server and a local bare repository.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AgentEvent, RUNTIME_NODE_FLAGS } from "@nightshift/protocol";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterEach, describe, expect, inject, it } from "vitest";
import { git, seedRepo } from "./git-fixtures";
import { ProtocolServer } from "./protocol-server";

const TOKEN = "process-test-token-0123456789";
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Running {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startRuntime(env: Record<string, string>): Running {
  // As a provider starts it.
  const child = spawn(process.execPath, [...RUNTIME_NODE_FLAGS, inject("plumbingBundle")], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", GIT_CONFIG_GLOBAL: "/dev/null", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return { child, stderr: () => stderr, exited };
}

async function session(files: Record<string, string> = {}) {
  const repo = seedRepo({ "README.md": "hello\n", ...files });
  cleanups.push(() => rmSync(repo.root, { recursive: true, force: true }));
  const server = await ProtocolServer.start({ token: TOKEN });
  cleanups.push(() => server.stop());
  const sandbox = mkdtempSync(join(tmpdir(), "ns-sandbox-"));
  cleanups.push(() => rmSync(sandbox, { recursive: true, force: true }));
  mkdirSync(join(sandbox, "work"));
  const env: Record<string, string> = {
    NIGHTSHIFT_SESSION_ID: "ses_process",
    NIGHTSHIFT_CONTROL_PLANE_URL: server.url,
    NIGHTSHIFT_SANDBOX_TOKEN: TOKEN,
    NIGHTSHIFT_REPO_URL: repo.origin,
    NIGHTSHIFT_BRANCH: "nightshift/process",
    NIGHTSHIFT_AGENT: "claude-code",
    NIGHTSHIFT_WORKDIR: join(sandbox, "work"),
    NIGHTSHIFT_STATE_DIR: join(sandbox, "state"),
    HOME: join(sandbox, "home"),
  };
  const events = () => server.stored.map((s) => s.event);
  const turnEnds = () =>
    events().filter((e): e is Extract<AgentEvent, { type: "turn.end" }> => e.type === "turn.end");
  return { repo, server, env, events, turnEnds, sandbox };
}

const author = { name: "Ada Lovelace", email: "ada@example.com" };

describe("runtime process", () => {
  it("exits 2 with one line per missing or bad variable", async () => {
    const run = startRuntime({ NIGHTSHIFT_AGENT: "clippy", NIGHTSHIFT_SANDBOX_TOKEN: "tiny" });
    expect(await run.exited).toBe(2);
    const lines = run.stderr().trim().split("\n");
    expect(lines).toContain(
      "nightshift-runtime: NIGHTSHIFT_SESSION_ID is missing: set it in the sandbox environment (the sandbox provider normally does)",
    );
    expect(lines.some((l) => l.startsWith("nightshift-runtime: NIGHTSHIFT_AGENT is invalid"))).toBe(true);
    expect(lines.some((l) => l.startsWith("nightshift-runtime: NIGHTSHIFT_SANDBOX_TOKEN is invalid"))).toBe(
      true,
    );
    expect(run.stderr()).not.toContain("tiny");
  });

  it("clones, runs the hooks, becomes ready, runs a prompt to a pushed commit, and shuts down on request", async () => {
    const { server, env, events, turnEnds, repo } = await session({
      ".nightshift/setup.sh": "echo setup ran\n",
      ".nightshift/start.sh": 'echo "start sees $MY_SECRET"\n',
    });
    const run = startRuntime({
      ...env,
      NIGHTSHIFT_SECRET_NAMES: "MY_SECRET",
      MY_SECRET: "p4ssw0rd-value",
    });
    await waitFor(() => server.framesOfType("ready").length === 1, "ready", 15_000);
    const logs = events()
      .filter((e) => e.type === "log")
      .map((e) => (e.type === "log" ? `${e.source}: ${e.text}` : ""));
    expect(logs.some((l) => l.startsWith("clone: cloning"))).toBe(true);
    expect(logs).toContain("setup: setup ran\n");
    expect(logs).toContain("start: start sees ***\n");
    expect(JSON.stringify(events())).not.toContain("p4ssw0rd-value");

    server.send({ v: 1, type: "prompt", promptId: "p1", text: "write hello.txt hi there", author });
    await waitFor(() => turnEnds().length === 1, "turn.end", 15_000);
    const push = events().find((e) => e.type === "git.push");
    expect(push).toMatchObject({ branch: "nightshift/process", filesChanged: 1, insertions: 1 });
    expect(git(repo.origin, "show", "nightshift/process:hello.txt")).toBe("hi there");
    expect(turnEnds()[0]).toMatchObject({ promptId: "p1", status: "completed" });

    server.send({ v: 1, type: "shutdown", reason: "test done" });
    expect(await run.exited).toBe(0);
    // A clean close, not a dropped one (1006): the control plane frees the sandbox at once then.
    await waitFor(() => server.closeCodes.length === 1, "the bridge to close", 5_000);
    expect(server.closeCodes).toEqual([1000]);
    expect(server.violations).toEqual([]);
    expect(server.stored.map((s) => s.seq)).toEqual(server.stored.map((_, i) => i + 1));
  });

  it("continues its seq numbering and skips setup after a restart in the same sandbox", async () => {
    const { server, env, events } = await session({ ".nightshift/setup.sh": "echo setup ran\n" });
    const first = startRuntime(env);
    await waitFor(() => server.framesOfType("ready").length === 1, "first ready", 15_000);
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    const seqBefore = server.ackedSeq;

    const second = startRuntime(env);
    await waitFor(() => server.framesOfType("ready").length === 2, "second ready", 15_000);
    const hellos = server.framesOfType("hello");
    // The second run may already have produced events before its hello; it never starts over.
    expect(hellos.at(-1)!.lastSeq).toBeGreaterThanOrEqual(seqBefore);
    expect(server.ackedSeq).toBeGreaterThan(seqBefore);
    expect(server.stored.map((s) => s.seq)).toEqual(server.stored.map((_, i) => i + 1));
    expect(server.violations).toEqual([]);
    const setupRuns = events().filter((e) => e.type === "log" && e.text === "setup ran\n");
    expect(setupRuns).toHaveLength(1);
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  });

  it("exits 1 with a clear message when the control plane closes with 4001", async () => {
    const { server, env } = await session();
    const run = startRuntime(env);
    await waitFor(() => server.isConnected && server.framesOfType("hello").length === 1, "hello", 15_000);
    server.close(4001, "token expired");
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toMatch(/refused this sandbox's token \(close 4001 unauthorized\)/);
    expect(run.stderr()).not.toContain(TOKEN);
  });

  it("exits 1 after reporting why when the workspace cannot be prepared", async () => {
    const { server, env, events } = await session();
    const run = startRuntime({ ...env, NIGHTSHIFT_BASE_BRANCH: "missing-base" });
    expect(await run.exited).toBe(1);
    expect(events().find((e) => e.type === "error")).toMatchObject({
      code: "workspace_failed",
      message: expect.stringMatching(/base branch missing-base does not exist/),
    });
    expect(server.framesOfType("ready")).toHaveLength(0);
  });

  it("keeps its memory flat while 100k events stream through", async () => {
    const { server, env, turnEnds } = await session();
    const run = startRuntime(env);
    await waitFor(() => server.framesOfType("ready").length === 1, "ready", 15_000);
    server.send({ v: 1, type: "prompt", promptId: "flood", text: "flood 100000", author });
    await waitFor(() => turnEnds().length === 1, "the flood to be stored", 60_000);
    expect(server.stored.filter((s) => s.event.type === "message.delta")).toHaveLength(100_000);
    const status = readFileSync(`/proc/${run.child.pid}/status`, "utf8");
    const peakKb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
    expect(peakKb).toBeGreaterThan(0);
    expect(peakKb / 1024).toBeLessThan(100);
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
  });
});

describe("runtime process signals", () => {
  it("on SIGTERM cancels the running turn, delivers its turn.end and exits 0", async () => {
    const { env, server, turnEnds } = await session();
    const run = startRuntime(env);
    await waitFor(() => server.framesOfType("ready").length === 1, "ready", 15_000);
    server.send({ v: 1, type: "prompt", promptId: "long", text: "wait", author });
    await waitFor(() => server.stored.some((s) => s.event.type === "message"), "the turn to start", 15_000);
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    expect(turnEnds()).toMatchObject([{ promptId: "long", status: "cancelled" }]);
  });
});
