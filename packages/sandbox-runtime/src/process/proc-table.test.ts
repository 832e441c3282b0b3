import { spawn } from "node:child_process";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterEach, describe, expect, it } from "vitest";
import { descendantsOf, environHolds, type ProcStat, processTable, readProcStat } from "./proc-table";

const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

const row = (pid: number, ppid: number): ProcStat => ({ pid, ppid, pgrp: pid, state: "S", command: "x" });

describe("descendantsOf over a given table", () => {
  it("lists children and grandchildren, parents first, never the root or another branch", () => {
    const table = [row(1, 0), row(10, 1), row(11, 10), row(12, 11), row(13, 10), row(20, 1)];
    expect(descendantsOf(10, table).map((s) => s.pid)).toEqual([11, 13, 12]);
    expect(descendantsOf(12, table)).toEqual([]);
  });

  it("stops on a table whose parent links loop (a pid reused while /proc was read)", () => {
    const table = [row(10, 12), row(11, 10), row(12, 11)];
    expect(descendantsOf(10, table).map((s) => s.pid)).toEqual([11, 12]);
    // A loop below the root: pid 10 read twice, once under the root and once under its own child.
    expect(descendantsOf(1, [row(10, 1), row(11, 10), row(10, 11)]).map((s) => s.pid)).toEqual([10, 11]);
  });
});

describe.runIf(process.platform === "linux")("the process table from /proc", () => {
  it("reads a child's parent, group and state, and finds it below this one", async () => {
    const child = spawn("sleep", ["30"], { stdio: "ignore" });
    started.push(child.pid!);
    await waitFor(() => readProcStat(child.pid!)?.command === "sleep", "the child to run sleep");
    const own = readProcStat(process.pid)!;
    const stat = readProcStat(child.pid!)!;
    expect(stat).toMatchObject({ pid: child.pid, ppid: process.pid, pgrp: own.pgrp });
    expect(stat.state).toMatch(/^[RSD]$/);
    expect(descendantsOf(process.pid).map((s) => s.pid)).toContain(child.pid);
    expect(processTable()?.some((s) => s.pid === process.pid)).toBe(true);
  });

  it("lists only processes: each row read from its pid's stat, none twice", () => {
    const table = processTable()!;
    for (const stat of table) {
      expect(Number.isInteger(stat.pid) && stat.pid > 0, JSON.stringify(stat)).toBe(true);
      expect(stat.state).toMatch(/^[A-Za-z]$/);
    }
    expect(new Set(table.map((s) => s.pid)).size).toBe(table.length);
  });

  it("keeps a name with spaces and parentheses whole", async () => {
    const name = "a (b) c";
    const child = spawn(
      process.execPath,
      ["-e", `process.title = ${JSON.stringify(name)}; setInterval(() => {}, 50)`],
      {
        stdio: "ignore",
      },
    );
    started.push(child.pid!);
    await waitFor(() => readProcStat(child.pid!)?.command === name, "the child to take its name");
    expect(readProcStat(child.pid!)).toMatchObject({ ppid: process.pid, command: name });
  });

  it("finds an entry in a process's environment, whole entries only", async () => {
    const child = spawn("sleep", ["30"], {
      stdio: "ignore",
      env: { PATH: process.env.PATH, NS_MARK: "turn-1" },
    });
    started.push(child.pid!);
    await waitFor(() => readProcStat(child.pid!)?.command === "sleep", "the child to run sleep");
    expect(environHolds(child.pid!, "NS_MARK=turn-1")).toBe(true);
    expect(environHolds(child.pid!, "NS_MARK=turn-2")).toBe(false);
    expect(environHolds(child.pid!, "NS_MARK=turn")).toBe(false);
  });

  it("has nothing for a process that is gone", async () => {
    const child = spawn("true", { stdio: "ignore" });
    await new Promise((resolve) => child.once("exit", resolve));
    await waitFor(() => readProcStat(child.pid!) === null, "the child to be reaped");
    expect(readProcStat(child.pid!)).toBeNull();
    expect(environHolds(child.pid!, "PATH=/usr/bin")).toBe(false);
  });
});
