/**
 * The Daytona reconciler over the real client and the testkit's Daytona double (in process):
 * it deletes only this deployment's labelled sandboxes whose session has ended, is paused, was
 * superseded or is unknown, and never an unlabelled sandbox or another deployment's.
 */
import type { SessionStatus } from "@nightshift/protocol";
import { ulid } from "ulid";
import { describe, expect, it } from "vitest";
import { createDaytonaApi } from "../../../../testkit/src/daytona/daytona-api";
import { DaytonaClient } from "./daytona-client";
import { reconcileDaytonaSandboxes, type SessionLookup } from "./daytona-reconciler";

const KEY = "dtn_reconciler_key";
const HOUR = 3_600_000;

function setup(maxPageSize = 2) {
  const api = createDaytonaApi({ apiKey: KEY, runtime: "none", maxPageSize });
  const client = new DaytonaClient({
    apiUrl: "http://127.0.0.1:3986/api",
    apiKey: KEY,
    fetch: ((input: Request | string | URL, init?: RequestInit) =>
      api.fetch(new Request(input, init))) as typeof fetch,
  });
  const create = async (labels: Record<string, string>) =>
    (
      await client.createSandbox({
        snapshot: "nightshift-sandbox",
        env: {},
        labels,
        public: false,
        autoStopInterval: 65,
        autoDeleteInterval: 0,
      })
    ).id;
  const alive = () =>
    new Set(
      api.store
        .all()
        .filter((s) => s.state !== "destroyed")
        .map((s) => s.id),
    );
  return { api, client, create, alive };
}

const labels = (tenant: string, session: string, incarnation: string, deployment?: string) => ({
  "nightshift.tenant": tenant,
  "nightshift.session": session,
  "nightshift.incarnation": incarnation,
  ...(deployment ? { "nightshift.deployment": deployment } : {}),
});

function lookup(known: Record<string, SessionStatus>): SessionLookup & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    status: async (tenant, session) => {
      asked.push(`${tenant}/${session}`);
      return known[`${tenant}/${session}`] ?? null;
    },
  };
}

describe("Daytona reconciler", () => {
  it("deletes ended, paused, superseded and unknown sessions' sandboxes of this deployment, and nothing else", async () => {
    const { client, create, alive } = setup();
    const older = ulid().toLowerCase();
    const newer = ulid(Date.now() + 1000).toLowerCase();
    const live = await create(labels("t1", "s-live", newer, "prod"));
    const superseded = await create(labels("t1", "s-live", older, "prod"));
    const ended = await create(labels("t1", "s-done", older, "prod"));
    const paused = await create(labels("t1", "s-paused", older, "prod"));
    const unknown = await create(labels("t1", "s-gone", older, "prod"));
    const otherTenant = await create(labels("t2", "s-live", newer, "prod"));
    const otherDeployment = await create(labels("t1", "s-done", older, "staging"));
    const unlabelled = await create({ "nightshift.deployment": "prod", owner: "someone" });
    const sessions = lookup({ "t1/s-live": "running", "t1/s-done": "completed", "t1/s-paused": "paused" });

    const report = await reconcileDaytonaSandboxes(client, sessions, {
      deployment: "prod",
      now: Date.now() + HOUR,
    });

    expect(Object.fromEntries(report.deleted.map((d) => [d.id, d.reason]))).toEqual({
      [superseded]: "incarnation superseded",
      [ended]: "session ended",
      [paused]: "session paused",
      [unknown]: "session unknown",
      // The same session id in another tenant is not this tenant's session: unknown there.
      [otherTenant]: "session unknown",
    });
    expect(report).toMatchObject({ checked: 6, errors: 0 });
    const remaining = alive();
    for (const id of [live, otherDeployment, unlabelled]) expect(remaining.has(id)).toBe(true);
    // Sessions are looked up once each, scoped by the labelled tenant.
    expect(sessions.asked.sort()).toEqual([
      "t1/s-done",
      "t1/s-gone",
      "t1/s-live",
      "t1/s-paused",
      "t2/s-live",
    ]);
  });

  it("keeps young sandboxes of unknown or paused sessions (their session may not have recorded them yet)", async () => {
    const { client, create, alive } = setup();
    const inc = ulid().toLowerCase();
    const young = await create(labels("t1", "s-new", inc, "prod"));
    const pausing = await create(labels("t1", "s-paused", inc, "prod"));
    const report = await reconcileDaytonaSandboxes(client, lookup({ "t1/s-paused": "paused" }), {
      deployment: "prod",
      now: Date.now(),
    });
    expect(report.deleted).toEqual([]);
    expect(alive()).toEqual(new Set([young, pausing]));
  });

  it("without a deployment name, leaves unknown sessions and every deployment-labelled sandbox alone", async () => {
    const { client, create, alive } = setup();
    const inc = ulid().toLowerCase();
    const ended = await create(labels("t1", "s-done", inc));
    const unknown = await create(labels("t1", "s-elsewhere", inc));
    const named = await create(labels("t1", "s-done", inc, "prod"));
    const report = await reconcileDaytonaSandboxes(client, lookup({ "t1/s-done": "failed" }), {
      now: Date.now() + HOUR,
    });
    expect(report.deleted).toEqual([{ id: ended, reason: "session ended" }]);
    expect(alive()).toEqual(new Set([unknown, named]));
  });

  it("reads every page of the list and stops at the per-run deletion bound", async () => {
    const { client, create, alive } = setup(2);
    const inc = ulid().toLowerCase();
    for (let n = 0; n < 7; n++) await create(labels("t1", `s-${n}`, inc, "prod"));
    const report = await reconcileDaytonaSandboxes(client, lookup({}), {
      deployment: "prod",
      now: Date.now() + HOUR,
      maxDeletes: 5,
    });
    expect(report.checked).toBe(7);
    expect(report.deleted).toHaveLength(5);
    expect(alive().size).toBe(2);
  });

  it("counts a failed lookup or delete as an error and carries on", async () => {
    const { api, client, create } = setup();
    const inc = ulid().toLowerCase();
    await create(labels("t1", "s-a", inc, "prod"));
    await create(labels("t1", "s-b", inc, "prod"));
    const sessions: SessionLookup = {
      status: async (_tenant, session) => {
        if (session === "s-a") throw new Error("D1 is unavailable");
        return "completed";
      },
    };
    const report = await reconcileDaytonaSandboxes(client, sessions, { deployment: "prod", now: Date.now() });
    expect(report).toMatchObject({ checked: 2, errors: 1 });
    expect(report.deleted).toHaveLength(1);
    api.injectFault({ status: 503, calls: 1, only: "all" });
    await expect(
      reconcileDaytonaSandboxes(client, sessions, { deployment: "prod", now: Date.now() }),
    ).rejects.toMatchObject({ status: 503 });
  });
});
