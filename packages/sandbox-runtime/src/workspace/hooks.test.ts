import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AgentEvent } from "@nightshift/protocol";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterEach, describe, expect, it } from "vitest";
import { processesRunning } from "../../test/processes";
import { silentLogger } from "../log";
import { runHook, runStartHooks } from "./hooks";

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function workspaceWith(hooks: Partial<Record<"setup" | "start", string>>) {
  const root = mkdtempSync(join(tmpdir(), "ns-hooks-"));
  roots.push(root);
  const workdir = join(root, "work");
  const stateDir = join(root, "state");
  mkdirSync(join(workdir, ".nightshift"), { recursive: true });
  mkdirSync(stateDir);
  for (const [name, body] of Object.entries(hooks))
    writeFileSync(join(workdir, ".nightshift", `${name}.sh`), body);
  const events: AgentEvent[] = [];
  const base = {
    workdir,
    timeoutMs: 10_000,
    env: { PATH: process.env.PATH ?? "" },
    emit: (e: AgentEvent) => events.push(e),
    log: silentLogger,
  };
  return { workdir, stateDir, events, base };
}

const logText = (events: AgentEvent[], source: string, stream: string) =>
  events
    .filter(
      (e): e is Extract<AgentEvent, { type: "log" }> =>
        e.type === "log" && e.source === source && e.stream === stream,
    )
    .map((e) => e.text)
    .join("");

describe("runHook", () => {
  it("streams stdout and stderr as log events, in the workdir", async () => {
    const { events, base, workdir } = workspaceWith({
      start: 'echo "in $(pwd)"\necho oops >&2\necho done\n',
    });
    const result = await runHook({ ...base, name: "start" });
    expect(result).toEqual({ ran: true, ok: true, exitCode: 0, timedOut: false });
    expect(logText(events, "start", "stdout")).toContain(`in ${workdir}\ndone\n`);
    expect(logText(events, "start", "stderr")).toBe("oops\n");
    expect(events.some((e) => e.type === "error")).toBe(false);
  });

  it("streams output while the hook is still running", async () => {
    const { events, base, workdir } = workspaceWith({
      start: "echo first\nwhile [ ! -f go ]; do sleep 0.02; done\necho second\n",
    });
    const running = runHook({ ...base, name: "start" });
    const deadline = Date.now() + 5000;
    while (!logText(events, "start", "stdout").includes("first")) {
      if (Date.now() > deadline) throw new Error("no streamed output");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(logText(events, "start", "stdout")).not.toContain("second");
    writeFileSync(join(workdir, "go"), "");
    await running;
    expect(logText(events, "start", "stdout")).toContain("second");
  });

  it("reports a failing hook with its name and exit code", async () => {
    const { events, base } = workspaceWith({ start: "exit 3\n" });
    const result = await runHook({ ...base, name: "start" });
    expect(result).toMatchObject({ ok: false, exitCode: 3 });
    expect(events.find((e) => e.type === "error")).toMatchObject({
      code: "start_hook_failed",
      message: expect.stringMatching(/\.nightshift\/start\.sh failed with exit code 3/),
    });
  });

  it("kills a hook that runs over its time limit, with everything it started", async () => {
    // Found by its command line: inside the inner sandbox `$!` is a pid of another namespace.
    const marker = `30.${process.pid}${Date.now() % 1000}`;
    const { events, base, workdir } = workspaceWith({
      setup: `sleep ${marker} &\necho started > child.started\nsleep 30\n`,
    });
    const started = Date.now();
    const result = await runHook({ ...base, name: "setup", timeoutMs: 300, killGraceMs: 200 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result).toMatchObject({ ok: false, timedOut: true });
    expect(events.find((e) => e.type === "error")).toMatchObject({
      code: "setup_hook_failed",
      message: expect.stringMatching(/setup\.sh timed out after 300 ms/),
    });
    expect(readFileSync(join(workdir, "child.started"), "utf8")).toBe("started\n");
    await waitFor(
      () => processesRunning(["sleep", marker]).length === 0,
      "the hook's background child to end",
      3000,
    );
  });

  it("does not run a hook that does not exist", async () => {
    const { events, base } = workspaceWith({});
    expect(await runHook({ ...base, name: "setup" })).toEqual({
      ran: false,
      ok: true,
      exitCode: null,
      timedOut: false,
    });
    expect(events).toEqual([]);
  });
});

describe("runStartHooks", () => {
  it("runs setup once per workspace and start every time", async () => {
    const { events, base, stateDir } = workspaceWith({
      setup: "echo setting-up\n",
      start: "echo starting\n",
    });
    expect(await runStartHooks({ ...base, stateDir })).toBe(true);
    expect(await runStartHooks({ ...base, stateDir })).toBe(true);
    expect(logText(events, "setup", "stdout").match(/setting-up/g)).toHaveLength(1);
    expect(logText(events, "start", "stdout").match(/starting/g)).toHaveLength(2);
  });

  it("fails the start when setup fails, and tries setup again next time", async () => {
    const { base, stateDir, events } = workspaceWith({ setup: "exit 1\n", start: "echo starting\n" });
    expect(await runStartHooks({ ...base, stateDir })).toBe(false);
    expect(logText(events, "start", "stdout")).toBe("");
    expect(existsSync(join(stateDir, "setup-hook.done"))).toBe(false);
  });

  it("goes on when only the start hook fails", async () => {
    const { base, stateDir, events } = workspaceWith({ start: "exit 2\n" });
    expect(await runStartHooks({ ...base, stateDir })).toBe(true);
    expect(events.find((e) => e.type === "error")).toMatchObject({ code: "start_hook_failed" });
  });
});
