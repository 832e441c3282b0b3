import { spawn } from "node:child_process";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../log";
import { childProcessGroups, ProducerGate, processState } from "./producer-gate";

const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

describe.runIf(process.platform === "linux")("ProducerGate", () => {
  it("stops the child process groups while paused and continues them on resume", async () => {
    // A producer in its own group (as the agent CLI and hooks are), and one in ours (as git is).
    // The producer forks nothing: a member of a stopped orphaned group that exits makes the kernel
    // send the group SIGHUP + SIGCONT, a separate race (see ProducerGate.pause) this test is not about.
    const producer = spawn("node", ["-e", "setInterval(() => {}, 10)"], { detached: true, stdio: "ignore" });
    const sameGroup = spawn("sh", ["-c", "while :; do sleep 0.01; done"], { stdio: "ignore" });
    started.push(producer.pid!);
    try {
      await waitFor(() => childProcessGroups().includes(producer.pid!), "the producer's group to be seen");
      expect(childProcessGroups()).not.toContain(sameGroup.pid);
      const gate = new ProducerGate(silentLogger);
      gate.pause();
      expect(gate.isPaused).toBe(true);
      await waitFor(() => processState(producer.pid!) === "T", "the producer to stop");
      expect(processState(sameGroup.pid!)).not.toBe("T");
      gate.resume();
      await waitFor(() => processState(producer.pid!) !== "T", "the producer to continue");
      expect(gate.isPaused).toBe(false);
    } finally {
      sameGroup.kill("SIGKILL");
    }
  });
});
