/**
 * The Modal reconciler over the testkit's double of our Modal app: which sandboxes it terminates
 * (ended, paused past the grace, superseded, unknown to a named deployment past the grace) and
 * which it never touches (current ones, young ones, another deployment's).
 */
import type { SessionStatus } from "@nightshift/protocol";
import { ulid } from "ulid";
import { describe, expect, it } from "vitest";
import { createModalAppApi } from "../../../../testkit/src/modal/modal-app-api";
import type { CreateSandboxInput } from "../provider";
import { ModalSandboxProvider } from "./modal-provider";
import { RECONCILE_GRACE_MS, reconcileModalSandboxes } from "./modal-reconciler";

const TOKEN = { id: "wk-reconcile", secret: "ws-reconcile-secret" };
const NOW = Date.UTC(2026, 11, 4, 20, 0, 0);
const OLD = NOW - RECONCILE_GRACE_MS - 60_000;
const YOUNG = NOW - 60_000;

function input(session: string, bornAt: number): CreateSandboxInput {
  const incarnation = ulid(bornAt).toLowerCase();
  return {
    tenantId: "ten1",
    sessionId: session,
    incarnation,
    repo: { kind: "github", owner: "octo", name: "widgets" },
    bootstrap: {
      NIGHTSHIFT_CONTROL_PLANE_URL: "https://nightshift.example.com",
      NIGHTSHIFT_SESSION_ID: session,
      NIGHTSHIFT_BOOTSTRAP_TOKEN: "bootstrap-token-for-the-reconciler-tests",
    },
    labels: {
      "nightshift.tenant": "ten1",
      "nightshift.session": session,
      "nightshift.incarnation": incarnation,
    },
    idleTimeoutSeconds: 1800,
  };
}

function world() {
  const api = createModalAppApi({ proxyToken: TOKEN });
  const provider = (deployment?: string) =>
    new ModalSandboxProvider({
      appUrl: "https://ws--nightshift-sandboxes.modal.run",
      tokenId: TOKEN.id,
      tokenSecret: TOKEN.secret,
      ...(deployment ? { deployment } : {}),
      fetch: (async (url: Request | string | URL, init?: RequestInit) =>
        api.fetch(new Request(url, init))) as typeof fetch,
    });
  return { api, provider };
}

const lookup = (statuses: Record<string, SessionStatus>) => ({
  status: async (tenantId: string, sessionId: string) =>
    tenantId === "ten1" ? (statuses[sessionId] ?? null) : null,
});

describe("reconcileModalSandboxes", () => {
  it("terminates what Nightshift no longer needs and keeps what it does", async () => {
    const { api, provider } = world();
    const prod = provider("prod");
    const running = await prod.create(input("running", OLD));
    const supersededOld = await prod.create(input("resumed", OLD - 1_000));
    const resumed = await prod.create(input("resumed", YOUNG));
    const ended = await prod.create(input("ended", YOUNG));
    const pausedOld = await prod.create(input("paused-old", OLD));
    const pausedYoung = await prod.create(input("paused-young", YOUNG));
    const unknownOld = await prod.create(input("unknown-old", OLD));
    const unknownYoung = await prod.create(input("unknown-young", YOUNG));
    const elsewhere = await provider("staging").create(input("ended", OLD));
    const report = await reconcileModalSandboxes(
      prod,
      lookup({
        running: "running",
        resumed: "idle",
        ended: "completed",
        "paused-old": "paused",
        "paused-young": "paused",
      }),
      { deployment: "prod", now: NOW },
    );
    expect(report.checked).toBe(8);
    expect(report.errors).toBe(0);
    expect(Object.fromEntries(report.terminated.map((t) => [t.id, t.reason]))).toEqual({
      [supersededOld.providerId]: "incarnation superseded",
      [ended.providerId]: "session ended",
      [pausedOld.providerId]: "session paused",
      [unknownOld.providerId]: "session unknown",
    });
    const state = (id: string) => api.sandboxes().find((s) => s.id === id)?.state;
    for (const kept of [running, resumed, pausedYoung, unknownYoung, elsewhere])
      expect(state(kept.providerId)).toBe("running");
  });

  it("without a deployment name, never terminates a sandbox of a session it does not know, nor a named deployment's", async () => {
    const { provider } = world();
    const unnamed = provider();
    await unnamed.create(input("stranger", OLD));
    const named = await provider("prod").create(input("ended", OLD));
    const ended = await unnamed.create(input("ended", OLD));
    const report = await reconcileModalSandboxes(unnamed, lookup({ ended: "failed" }), { now: NOW });
    expect(report.checked).toBe(2);
    expect(report.terminated).toEqual([{ id: ended.providerId, reason: "session ended" }]);
    expect(report.terminated.map((t) => t.id)).not.toContain(named.providerId);
  });

  it("counts a failed termination and a failed lookup as errors for the next run, and stops at its bound", async () => {
    const { api, provider } = world();
    const prod = provider("prod");
    await prod.create(input("broken-lookup", OLD));
    for (const n of [1, 2, 3]) await prod.create(input(`ended-${n}`, OLD));
    api.injectFault({ status: 503, calls: 1, only: "terminate" });
    const report = await reconcileModalSandboxes(
      prod,
      {
        status: async (_tenant, session) => {
          if (session === "broken-lookup") throw new Error("D1 unavailable");
          return "completed";
        },
      },
      { deployment: "prod", now: NOW, maxTerminations: 1 },
    );
    expect(report.errors).toBe(2);
    expect(report.terminated).toHaveLength(1);
    expect(api.sandboxes().filter((s) => s.state === "running")).toHaveLength(3);
  });
});
