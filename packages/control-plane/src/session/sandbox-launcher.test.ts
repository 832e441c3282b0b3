import { describe, expect, it } from "vitest";
import { memoryMeta } from "../../test/support/memory-meta";
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
  return memoryMeta().meta;
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
      idleTimeoutSeconds: 1800,
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

/** A launcher whose provider fails each create with the next error in `failures`, then succeeds. */
function launcherFailingWith(failures: Error[], now = 1_000_000) {
  const store = memoryStore();
  let creates = 0;
  const launcher = new SandboxLauncher(store, {
    controlPlaneUrl: "http://127.0.0.1:8787",
    tokenSecret: "test-sandbox-token-secret-0123456789abcdef",
    provider: () => ({
      name: "flaky",
      create: () => {
        const failure = failures[creates++];
        return failure
          ? Promise.reject(failure)
          : Promise.resolve({ providerId: `sbx-${creates}`, isolation: "bubblewrap", warnings: [] });
      },
      terminate: () => Promise.resolve(),
    }),
    idleTimeoutSeconds: 1800,
    now: () => now,
  });
  return { launcher, store, creates: () => creates };
}

const unreachable = () =>
  new SandboxProviderError("sandbox host refused POST /v1/sandboxes: HTTP 503", classifyHttpStatus(503));

describe("retrying a sandbox start", () => {
  it("retries a transient failure with a growing backoff, and fails the session on the fifth attempt", async () => {
    const now = 1_000_000;
    const { launcher, store } = launcherFailingWith(Array.from({ length: 10 }, unreachable), now);
    for (let attempt = 1; attempt <= 4; attempt++) {
      const outcome = await launcher.launch(meta, () => {});
      expect(outcome).toMatchObject({ kind: "retry", message: unreachable().message });
      const ceiling = Math.min(30_000, 500 * 2 ** attempt);
      const at = outcome.kind === "retry" ? outcome.at : 0;
      expect(at).toBeGreaterThanOrEqual(now + ceiling / 2);
      expect(at).toBeLessThanOrEqual(now + ceiling);
      expect(store.get("sandbox.launch_attempt")).toBe(attempt);
    }
    expect(await launcher.launch(meta, () => {})).toEqual({ kind: "failed", message: unreachable().message });
    // The count starts over: a later start of the same session gets its own five attempts.
    expect(store.get("sandbox.launch_attempt")).toBe(0);
    expect((await launcher.launch(meta, () => {})).kind).toBe("retry");
  });

  it("a start that succeeds after transient failures resets the attempt count", async () => {
    const { launcher, store, creates } = launcherFailingWith([unreachable(), unreachable()]);
    expect((await launcher.launch(meta, () => {})).kind).toBe("retry");
    expect((await launcher.launch(meta, () => {})).kind).toBe("retry");
    const started = await launcher.launch(meta, () => {});
    expect(started).toMatchObject({ kind: "started", providerId: "sbx-3", isolation: "bubblewrap" });
    expect(creates()).toBe(3);
    expect(store.get("sandbox.launch_attempt")).toBe(0);
    expect(store.get("sandbox.provider_id")).toBe("sbx-3");
  });

  it.each([
    [
      "a permanent provider error",
      new SandboxProviderError("invalid sandbox request", classifyHttpStatus(400)),
    ],
    ["an error the provider did not classify", new Error("provider bug")],
  ])("fails the session at once on %s", async (_what, error) => {
    const { launcher, store, creates } = launcherFailingWith([error, error]);
    expect(await launcher.launch(meta, () => {})).toEqual({ kind: "failed", message: error.message });
    expect(creates()).toBe(1);
    expect(store.get("sandbox.launch_attempt")).toBe(0);
  });
});
