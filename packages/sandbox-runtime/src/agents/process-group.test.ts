import { once } from "node:events";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { groupAlive, spawnInGroup, terminateGroup } from "./process-group";

/** Running (a zombie waiting for its parent to reap it counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** Spawns a shell (a group leader) that starts a background grandchild, and returns both pids. */
async function leaderWithGrandchild(script: string) {
  const leader = spawnInGroup("/bin/sh", ["-c", script], { cwd: "/", env: { PATH: "/usr/bin:/bin" } });
  let out = "";
  leader.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  const deadline = Date.now() + 5_000;
  while (!out.includes("\n")) {
    if (Date.now() > deadline) throw new Error("the shell did not report its child's pid");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { leader, pgid: leader.pid!, grandchild: Number(out.trim()) };
}

describe("process groups", () => {
  it("SIGTERM ends the leader and its background children", async () => {
    const { leader, pgid, grandchild } = await leaderWithGrandchild("sleep 30 & echo $!; wait");
    expect(alive(grandchild)).toBe(true);
    const exited = once(leader, "exit");
    await terminateGroup(pgid, 2_000);
    await exited;
    expect(groupAlive(pgid)).toBe(false);
    expect(alive(grandchild)).toBe(false);
  });

  it("SIGKILL follows after the grace period when a member ignores SIGTERM", async () => {
    const { pgid, grandchild } = await leaderWithGrandchild(
      "trap '' TERM; (trap '' TERM; sleep 30) & echo $!; wait",
    );
    const started = Date.now();
    await terminateGroup(pgid, 300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(groupAlive(pgid)).toBe(false);
    expect(alive(grandchild)).toBe(false);
  });

  it("is a no-op for a group that is already gone", async () => {
    const leader = spawnInGroup("/bin/true", [], { cwd: "/", env: {} });
    await once(leader, "exit");
    await terminateGroup(leader.pid!, 100);
    expect(groupAlive(leader.pid!)).toBe(false);
  });
});
