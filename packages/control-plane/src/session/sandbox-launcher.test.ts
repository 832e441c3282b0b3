import { describe, expect, it } from "vitest";
import { reportLaunch } from "./sandbox-launcher";

describe("reportLaunch", () => {
  it("logs a started sandbox with its isolation and warnings, and marks it launched", () => {
    const report = reportLaunch({
      kind: "started",
      incarnationHash: "h",
      isolation: "bubblewrap",
      warnings: ["network is not isolated"],
      providerId: "sbx-1",
    });
    expect(report).toEqual({
      events: [
        {
          type: "log",
          source: "sandbox",
          stream: "stdout",
          text: "sandbox started (isolation: bubblewrap)\nnetwork is not isolated\n",
        },
      ],
      launched: true,
    });
  });

  it("schedules a retry for a transient failure and fails the session on a permanent one", () => {
    const retry = reportLaunch({ kind: "retry", at: 1234, message: "host unreachable" });
    expect(retry.retryAt).toBe(1234);
    expect(retry.input).toBeUndefined();
    expect(retry.events[0]).toMatchObject({ type: "log", stream: "stderr" });
    const failed = reportLaunch({ kind: "failed", message: "no such provider" });
    expect(failed.input).toEqual({ kind: "sandbox.failed", reason: "no such provider" });
    expect(failed.events).toEqual([
      { type: "error", code: "sandbox_start_failed", message: "no such provider" },
    ]);
    expect(failed.launched).toBe(false);
  });
});
