import { describe, expect, it } from "vitest";
import { runCommand } from "./run-command";

describe("runCommand (host helper commands)", () => {
  it("returns the exit code and both outputs, with only PATH in the environment by default", async () => {
    const result = await runCommand(
      "sh",
      ["-c", 'test -z "$HOME" && echo home=unset; echo err >&2; exit 4'],
      10_000,
    );
    expect(result).toEqual({ code: 4, stdout: "home=unset\n", stderr: "err\n" });
  });

  it("runs in the given directory with exactly the given environment", async () => {
    const result = await runCommand("sh", ["-c", 'pwd; echo "$ONLY"'], 10_000, {
      cwd: "/tmp",
      env: { PATH: process.env.PATH ?? "", ONLY: "this" },
    });
    expect(result).toEqual({ code: 0, stdout: "/tmp\nthis\n", stderr: "" });
  });

  it("gives the command end-of-file on stdin", async () => {
    const result = await runCommand("cat", [], 10_000);
    expect(result).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("stops a hung command at its time limit and says so", async () => {
    const started = Date.now();
    const result = await runCommand("sleep", ["30"], 200);
    expect(result.code).toBeNull();
    expect(result.stderr).toMatch(/timed out/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("says why a command that cannot start did not run", async () => {
    const result = await runCommand("/nonexistent/nightshift-no-such-command", [], 10_000);
    expect(result.code).toBeNull();
    expect(result.stderr).toMatch(/ENOENT/);
  });

  it("output flood: a command that prints without end is stopped at the output bound, not at its timeout", async () => {
    const started = Date.now();
    const result = await runCommand("yes", [], 60_000, { maxBuffer: 64 * 1024 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.code).toBeNull();
    expect(result.stdout.length).toBeLessThanOrEqual(64 * 1024);
    expect(result.stderr).toMatch(/output limit/);
  }, 20_000);

  it("says which signal killed a command, after what it printed", async () => {
    const result = await runCommand("sh", ["-c", "echo dying >&2; kill -TERM $$"], 10_000);
    expect(result).toEqual({ code: null, stdout: "", stderr: "dying\n\nthe command was killed by SIGTERM" });
  });

  it("keeps a failing command's own words without adding any", async () => {
    const result = await runCommand("sh", ["-c", "echo nope >&2; exit 1"], 10_000);
    expect(result).toEqual({ code: 1, stdout: "", stderr: "nope\n" });
  });

  it("a timed-out command's message follows what it printed", async () => {
    const result = await runCommand("sh", ["-c", "echo started >&2; exec sleep 30"], 300);
    expect(result.stderr).toBe("started\n\nthe command timed out and was stopped");
  });
});
