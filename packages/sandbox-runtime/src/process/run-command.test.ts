import { describe, expect, it } from "vitest";
import { runCommand } from "./run-command";

describe("runCommand", () => {
  it("returns the exit code and both outputs", async () => {
    const result = await runCommand("sh", ["-c", "echo out; echo err >&2; exit 3"]);
    expect(result).toMatchObject({ code: 3, stdout: "out\n", stderr: "err\n", timedOut: false });
  });

  it("feeds the input on stdin and closes it", async () => {
    const result = await runCommand("cat", [], { input: "a commit message\n" });
    expect(result).toMatchObject({ code: 0, stdout: "a commit message\n" });
  });

  it("closes stdin when there is no input, so a reader is not left waiting", async () => {
    const result = await runCommand("cat", [], { timeoutMs: 10_000 });
    expect(result).toMatchObject({ code: 0, stdout: "", timedOut: false });
  });

  it("streams stderr to onStderr as it arrives", async () => {
    const chunks: string[] = [];
    await runCommand("sh", ["-c", "echo progress >&2"], { onStderr: (c) => chunks.push(c.toString()) });
    expect(chunks.join("")).toBe("progress\n");
  });

  it("stops a command at its time limit", async () => {
    const started = Date.now();
    const result = await runCommand("sleep", ["30"], { timeoutMs: 200 });
    expect(result.timedOut).toBe(true);
    expect(result.code).toBeNull();
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("says why a command that cannot start did not run", async () => {
    const result = await runCommand("/nonexistent/nightshift-no-such-command", []);
    expect(result.code).toBeNull();
    expect(result.timedOut).toBe(false);
    expect(result.stderr).toMatch(/ENOENT/);
  });

  it("output flood: a command that prints without end is stopped at the output bound, not left running", async () => {
    const started = Date.now();
    const result = await runCommand("yes", [], { maxBuffer: 64 * 1024, timeoutMs: 60_000 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.code).not.toBe(0);
    expect(result.timedOut).toBe(false);
    expect(result.stdout.length).toBeLessThanOrEqual(64 * 1024);
    expect(result.stderr).toMatch(/output limit/);
  }, 20_000);
});
