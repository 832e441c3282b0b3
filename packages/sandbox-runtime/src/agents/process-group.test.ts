import { once } from "node:events";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { spawnInGroup, TURN_ID_VARIABLE, terminateTurn, turnAlive } from "./process-group";

/** Running (a zombie waiting for its parent to reap it counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** Spawns a shell (a group leader) that starts a background process and prints its pid. */
async function leaderWithChild(script: string, env: Record<string, string> = {}) {
  const leader = spawnInGroup("/bin/sh", ["-c", script], {
    cwd: "/",
    env: { PATH: "/usr/bin:/bin", ...env },
  });
  let out = "";
  leader.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  const deadline = Date.now() + 5_000;
  while (!out.includes("\n")) {
    if (Date.now() > deadline) throw new Error("the shell did not report its child's pid");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { leader, pgid: leader.pid!, child: Number(out.trim()) };
}

describe("ending a turn's processes", () => {
  it("SIGTERM ends the leader and its background children", async () => {
    const { leader, pgid, child } = await leaderWithChild("sleep 30 & echo $!; wait");
    expect(alive(child)).toBe(true);
    const exited = once(leader, "exit");
    await terminateTurn({ pgid }, 2_000);
    await exited;
    expect(turnAlive({ pgid })).toBe(false);
    expect(alive(child)).toBe(false);
  });

  it("finds a process that left the group (its own session) by the turn id in its environment", async () => {
    const turnId = `turn-${process.pid}-${Date.now()}`;
    const { pgid, child } = await leaderWithChild("setsid sleep 30 & echo $!; wait", {
      [TURN_ID_VARIABLE]: turnId,
    });
    expect(alive(child)).toBe(true);
    await terminateTurn({ pgid, turnId }, 2_000);
    expect(alive(child)).toBe(false);
    expect(turnAlive({ pgid, turnId })).toBe(false);
  });

  it("SIGKILL follows after the grace period when a member ignores SIGTERM", async () => {
    const { pgid, child } = await leaderWithChild("trap '' TERM; (trap '' TERM; sleep 30) & echo $!; wait");
    const started = Date.now();
    await terminateTurn({ pgid }, 300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(turnAlive({ pgid })).toBe(false);
    expect(alive(child)).toBe(false);
  });

  it("is a no-op for a turn whose processes are already gone", async () => {
    const leader = spawnInGroup("/bin/true", [], { cwd: "/", env: {} });
    await once(leader, "exit");
    const started = Date.now();
    await terminateTurn({ pgid: leader.pid!, turnId: "nothing-carries-this" }, 1_000);
    expect(Date.now() - started).toBeLessThan(500);
  });
});
