import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterEach, describe, expect, it } from "vitest";
import type { Logger } from "../log";
import { childProcessGroups, ProducerGate, processState } from "./producer-gate";

const groups: number[] = [];
const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const group of groups.splice(0)) {
    try {
      process.kill(-group, "SIGKILL");
    } catch {
      // already gone
    }
  }
  for (const child of children.splice(0)) child.kill("SIGKILL");
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function recordingLog() {
  const lines: string[] = [];
  const log: Logger = {
    debug: (m) => lines.push(`debug ${m}`),
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
  };
  return { lines, log };
}

describe("ProducerGate without process groups to stop", () => {
  it("says once that it cannot pause on another platform, and pauses nothing", () => {
    const { lines, log } = recordingLog();
    const gate = new ProducerGate(log, false);
    gate.pause();
    gate.pause();
    expect(gate.isPaused).toBe(false);
    gate.resume();
    expect(lines).toEqual(["warn the event buffer is full and producers cannot be paused on this platform"]);
  });

  it("reports nothing, and nothing is paused, when no child group exists", () => {
    const { lines, log } = recordingLog();
    const gate = new ProducerGate(log, true);
    expect(childProcessGroups(process.pid)).toEqual([]);
    gate.pause();
    gate.resume();
    expect(gate.isPaused).toBe(false);
    expect(lines).toEqual([]);
  });
});

describe.runIf(process.platform === "linux")("ProducerGate with producers", () => {
  it("finds a grandchild's own group (the agent under bwrap), and reads a process whose name has parentheses", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ns-gate-"));
    dirs.push(dir);
    const oddName = join(dir, "odd) (name");
    symlinkSync("/bin/sleep", oddName);
    // sh stays in our group; the sleeper it starts leads a session (and group) of its own.
    const parent = spawn("sh", ["-c", `setsid '${oddName}' 30 & wait`], { stdio: "ignore" });
    children.push(parent);
    const found = await waitFor(() => {
      const list = childProcessGroups();
      return list.length > 0 ? list : null;
    }, "the grandchild's group");
    groups.push(...found);
    expect(found).toHaveLength(1);
    expect(found).not.toContain(parent.pid);
    expect(processState(found[0]!)).toMatch(/^[RS]$/);
  });

  it("stops each group once, says how many it paused and resumed", async () => {
    const producer = spawn("node", ["-e", "setInterval(() => {}, 10)"], { detached: true, stdio: "ignore" });
    groups.push(producer.pid!);
    await waitFor(() => childProcessGroups().includes(producer.pid!), "the producer's group");
    const { lines, log } = recordingLog();
    const gate = new ProducerGate(log);
    gate.pause();
    gate.pause();
    expect(lines).toEqual(["warn event buffer full: paused 1 process group(s) until acks free room"]);
    await waitFor(() => processState(producer.pid!) === "T", "the producer to stop");
    gate.resume();
    gate.resume();
    expect(lines.slice(1)).toEqual(["info event buffer has room again: resumed 1 process group(s)"]);
    await waitFor(() => processState(producer.pid!) !== "T", "the producer to continue");
  });

  it("knows no state for a process that is gone", async () => {
    const gone = spawn("true", [], { stdio: "ignore" });
    const pid = gone.pid!;
    await new Promise((resolve) => gone.on("exit", resolve));
    await waitFor(() => processState(pid) === null, "the process to be reaped");
    expect(processState(pid)).toBeNull();
  });
});
