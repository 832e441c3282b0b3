import { describe, expect, it } from "vitest";
import { classifyHttpStatus, SandboxProviderError } from "../providers/provider";
import { reportLaunch, SandboxLauncher } from "./sandbox-launcher";
import type { SessionMeta } from "./store";

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

function memoryStore() {
  const values = new Map<string, string>();
  return {
    getValue: (k: string) => values.get(k) ?? null,
    setValue: (k: string, v: string) => void values.set(k, v),
    deleteValue: (k: string) => void values.delete(k),
  };
}

const meta: SessionMeta = {
  sessionId: "s1",
  tenantId: "t1",
  title: "t",
  repo: { kind: "local", path: "demo" },
  agent: "claude-code",
  model: null,
  branch: "nightshift/t",
  createdBy: "u1",
  status: "starting",
};

describe("a full sandbox provider", () => {
  it("a host that answers 429 (full) never fails the session, however often it refuses", async () => {
    const launcher = new SandboxLauncher(memoryStore(), {
      controlPlaneUrl: "http://127.0.0.1:8787",
      tokenSecret: "test-sandbox-token-secret-0123456789abcdef",
      provider: () => ({
        name: "full",
        create: () =>
          Promise.reject(
            new SandboxProviderError(
              "this host already runs 20 sandboxes; retry later",
              classifyHttpStatus(429),
            ),
          ),
        terminate: () => Promise.resolve(),
      }),
      secrets: () => Promise.resolve({}),
      now: () => 0,
    });
    for (let attempt = 0; attempt < 8; attempt++) {
      const outcome = await launcher.launch(meta, () => {});
      expect(outcome).toEqual({ kind: "full", message: "this host already runs 20 sandboxes; retry later" });
    }
  });

  it("a host at its sandbox limit puts the session back in line instead of failing it", () => {
    const report = reportLaunch({
      kind: "full",
      message: "this host already runs 20 sandboxes; retry later",
    });
    expect(report.input).toEqual({
      kind: "provider.full",
      reason: "the sandbox provider is full; waiting in line for a slot",
    });
    expect(report.events.some((e) => e.type === "error")).toBe(false);
    expect(report.launched).toBe(false);
  });
});
