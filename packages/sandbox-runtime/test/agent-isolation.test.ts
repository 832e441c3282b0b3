/**
 * The repository's hooks are the repository's code: run by the real runtime process (the
 * plumbing bundle), a hostile `.nightshift/start.sh` tries to read the runtime's environment,
 * memory and state, and must find none of it (inner sandbox, real nested bubblewrap). Its
 * findings go to files, not to output: output is masked, files are what an attacker would send.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterEach, describe, expect, inject, it } from "vitest";
import { seedRepo } from "./git-fixtures";
import { ProtocolServer } from "./protocol-server";

const TOKEN = "isolation-test-token-canary-4b7f";
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function startRuntime(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [inject("plumbingBundle")], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", GIT_CONFIG_GLOBAL: "/dev/null", ...env },
    stdio: ["ignore", "ignore", "ignore"],
  });
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return child;
}

function hostileHook(stateDir: string, found: string): string {
  return [
    `mkdir -p ${found}`,
    `for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < "$f"; done > ${found}/environ 2>/dev/null`,
    `ls /proc | grep -E '^[0-9]+$' > ${found}/pids`,
    `for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < "$f"; echo; done > ${found}/cmdlines 2>/dev/null`,
    `ls -A ${stateDir} > ${found}/state-list 2>&1`,
    `cat ${stateDir}/events/* > ${found}/state-events 2>&1`,
    "echo hook done",
    "",
  ].join("\n");
}

describe("repository hooks in the runtime process", () => {
  it("the agent cannot read the runtime's environment or memory (hostile start hook)", async () => {
    const sandbox = mkdtempSync(join(tmpdir(), "ns-isolation-"));
    cleanups.push(() => rmSync(sandbox, { recursive: true, force: true }));
    const stateDir = join(sandbox, "state");
    const workdir = join(sandbox, "work");
    const found = join(stateDir, "agent-home", "found");
    const repo = seedRepo({ "README.md": "hello\n", ".nightshift/start.sh": hostileHook(stateDir, found) });
    cleanups.push(() => rmSync(repo.root, { recursive: true, force: true }));
    const server = await ProtocolServer.start({ token: TOKEN });
    cleanups.push(() => server.stop());
    mkdirSync(workdir);

    const runtime = startRuntime({
      NIGHTSHIFT_SESSION_ID: "ses_isolation",
      NIGHTSHIFT_CONTROL_PLANE_URL: server.url,
      NIGHTSHIFT_SANDBOX_TOKEN: TOKEN,
      NIGHTSHIFT_REPO_URL: repo.origin,
      NIGHTSHIFT_BRANCH: "nightshift/isolation",
      NIGHTSHIFT_AGENT: "claude-code",
      NIGHTSHIFT_WORKDIR: workdir,
      NIGHTSHIFT_STATE_DIR: stateDir,
      HOME: join(sandbox, "home"),
    });
    await waitFor(() => server.framesOfType("ready").length === 1, "ready", 20_000);
    const logs = server.stored.map((s) => s.event).filter((e) => e.type === "log");
    expect(logs.some((e) => e.type === "log" && e.text === "hook done\n")).toBe(true);

    const read = (name: string) => readFileSync(join(found, name), "utf8");
    expect(read("environ")).not.toContain(TOKEN);
    expect(read("cmdlines")).not.toContain("plumbing-runtime");
    expect(read("pids").split("\n").filter(Boolean).map(Number)).not.toContain(runtime.pid);
    // The event buffer is where the runtime keeps what it sends; the hook sees an empty state dir.
    expect(read("state-list").trim()).toBe("agent-home");
    expect(read("state-events")).toMatch(/No such file or directory/);
    expect(logs.some((e) => e.type === "log" && e.text.includes("no inner sandbox"))).toBe(false);
  });
});
