/**
 * The agent is not the runtime: a CLI started through the turn runner runs in the inner sandbox
 * (real nested bubblewrap), where the runtime's processes, environment, memory and state dir do
 * not exist. The "runtime" here is a decoy process holding the token canary in its environment
 * (and the test process itself); the "agent" is a shell script doing what a hostile tool call would.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AgentEvent } from "@nightshift/protocol";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { processesRunning } from "../../test/processes";
import { createChildLauncher, NO_INNER_SANDBOX_WARNING, probeInnerSandbox } from "../process/inner-sandbox";
import type { AgentAdapter, TurnVerdict } from "./adapter";
import type { TurnRequest } from "./contract";
import { createTurnRunner, type TurnRunnerOptions } from "./turn-runner";

const CANARY = "nightshift-token-canary-5d1e9b";
const root = mkdtempSync(join(tmpdir(), "ns-isolation-"));
const workdir = join(root, "work");
const stateDir = join(root, "state");
let decoy: ChildProcess;

beforeAll(async () => {
  mkdirSync(workdir, { recursive: true });
  mkdirSync(join(stateDir, "events"), { recursive: true });
  writeFileSync(join(stateDir, "events", "0001.jsonl"), `{"token":"${CANARY}"}\n`);
  // Stands for the runtime: a process whose environment holds the sandbox token.
  decoy = spawn(process.execPath, ["-e", "setInterval(() => {}, 1e6)"], {
    env: { PATH: "/usr/bin:/bin", NIGHTSHIFT_SANDBOX_TOKEN: CANARY },
    stdio: "ignore",
  });
  await waitFor(() => {
    try {
      return readFileSync(`/proc/${decoy.pid}/environ`, "utf8").includes(CANARY);
    } catch {
      return false;
    }
  }, "the decoy runtime to start");
});
afterAll(() => {
  decoy.kill("SIGKILL");
  rmSync(root, { recursive: true, force: true });
});

/** Runs the prompt with /bin/sh; "DONE" on stdout finishes the turn. */
const shellAdapter: AgentAdapter = {
  agent: "pi",
  displayName: "Shell",
  binary: { name: "sh", install: "install a POSIX shell" },
  launch: (request) => ({ args: ["-c", request.text], env: {} }),
  createParser: () => {
    let finished = false;
    return {
      parseLine(line): AgentEvent[] {
        if (line === "DONE") finished = true;
        return [];
      },
      finish: (): TurnVerdict => ({ finished, failed: false, unfinishedTools: [] }),
    };
  },
};

function runner(extra: Partial<TurnRunnerOptions> = {}) {
  return createTurnRunner({
    adapters: { pi: shellAdapter },
    binarySearch: { fromUrl: import.meta.url, path: "/bin:/usr/bin", skipPackages: true },
    parentEnv: { PATH: "/bin:/usr/bin" },
    killGraceMs: 300,
    ...extra,
  });
}

function request(text: string, overrides: Partial<TurnRequest> = {}): TurnRequest {
  return {
    promptId: "p1",
    text,
    cwd: workdir,
    home: join(stateDir, "agent-home"),
    hiddenPaths: [stateDir],
    maxTurns: 1,
    timeoutMs: 20_000,
    env: { RUNTIME_PID: String(decoy.pid), TEST_PID: String(process.pid), STATE_DIR: stateDir },
    signal: new AbortController().signal,
    ...overrides,
  };
}

/** What a hostile tool call tries, written to files in the workdir for the test to read. */
const ATTACK = [
  "mkdir -p found",
  "for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < \"$f\"; done > found/environ 2>/dev/null",
  "ls /proc | grep -E '^[0-9]+$' > found/pids",
  'cat "/proc/$RUNTIME_PID/environ" "/proc/$RUNTIME_PID/cmdline" > found/runtime 2>&1',
  'head -c 65536 "/proc/$TEST_PID/mem" > found/memory 2>&1',
  'ls -A "$STATE_DIR" > found/state-list 2>&1',
  'cat "$STATE_DIR"/events/* > found/state-events 2>&1',
  "echo DONE",
].join("\n");

const found = (name: string) => readFileSync(join(workdir, "found", name), "utf8");

describe("the agent's process tree", () => {
  it("the agent cannot read the runtime's environment or memory", async () => {
    const probe = await probeInnerSandbox();
    expect(probe, "nested bubblewrap must work on this machine").toMatchObject({ ok: true });
    const events: AgentEvent[] = [];
    const result = await runner()("pi", request(ATTACK), (event) => events.push(event));
    expect(result.status).toBe("completed");

    expect(found("environ")).not.toContain(CANARY);
    const pids = found("pids").split("\n").filter(Boolean).map(Number);
    expect(pids.length).toBeGreaterThan(0);
    expect(pids).not.toContain(decoy.pid);
    expect(pids).not.toContain(process.pid);
    expect(found("runtime")).not.toContain(CANARY);
    expect(found("runtime")).not.toContain("setInterval");
    expect(found("memory")).toMatch(/No such file or directory/);
    expect(found("state-list").trim()).toBe("agent-home");
    expect(found("state-events")).not.toContain(CANARY);
    expect(JSON.stringify(events)).not.toContain(NO_INNER_SANDBOX_WARNING);
  });

  it("nothing the agent started outlives a cancelled turn", async () => {
    const marker = `40.${process.pid}`;
    const controller = new AbortController();
    const script = `setsid sleep ${marker} & (sleep ${marker}; true) & echo started > found/started; sleep 60`;
    mkdirSync(join(workdir, "found"), { recursive: true });
    const turn = runner()("pi", request(script, { signal: controller.signal }), () => {});
    await waitFor(() => processesRunning(["sleep", marker]).length === 2, "the agent's background processes");
    controller.abort();
    const result = await turn;
    expect(result.status).toBe("cancelled");
    await waitFor(
      () => processesRunning(["sleep", marker]).length === 0,
      "every agent process to end",
      5_000,
    );
  });

  it("says once, in a log event, when there is no inner sandbox, and still runs the agent", async () => {
    const launcher = createChildLauncher(async () => ({ ok: false, reason: "bwrap self-test failed: test" }));
    const run = runner({ launcher });
    const events: AgentEvent[] = [];
    for (const promptId of ["p1", "p2"]) {
      const result = await run("pi", request("echo DONE", { promptId }), (event) => events.push(event));
      expect(result.status).toBe("completed");
    }
    const warnings = events.filter((e) => e.type === "log" && e.text.includes(NO_INNER_SANDBOX_WARNING));
    expect(warnings).toEqual([
      {
        type: "log",
        source: "nightshift",
        stream: "stderr",
        text: `${NO_INNER_SANDBOX_WARNING} (bwrap self-test failed: test)`,
      },
    ]);
  });
});
