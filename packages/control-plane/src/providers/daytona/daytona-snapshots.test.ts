/**
 * The Daytona provider's snapshots over the testkit's Daytona double (in process): a snapshot is
 * taken with Daytona's own call and waited for until active, a create starts from it, deleting is
 * idempotent, and every failure is classified in words.
 */
import { describe, expect, it } from "vitest";
import { createDaytonaApi, type DaytonaApiOptions } from "../../../../testkit/src/daytona/daytona-api";
import { type CreateSandboxInput, SandboxProviderError } from "../provider";
import { type DaytonaProviderConfig, DaytonaSandboxProvider } from "./daytona-provider";
import { deploymentTag, parseSnapshotName, SNAPSHOT_NAME_PREFIX } from "./daytona-snapshots";

const KEY = "dtn_snapshot_test_key";

function setup(options: Partial<DaytonaApiOptions> = {}, config: Partial<DaytonaProviderConfig> = {}) {
  const api = createDaytonaApi({ apiKey: KEY, runtime: "none", snapshots: ["ns-base"], ...options });
  const provider = new DaytonaSandboxProvider({
    apiUrl: "http://127.0.0.1:3986/api",
    apiKey: KEY,
    snapshot: "ns-base",
    fetch: ((input: Request | string | URL, init?: RequestInit) =>
      api.fetch(new Request(input, init))) as typeof fetch,
    pollIntervalMs: 20,
    startCheckMs: 50,
    ...config,
  });
  return { api, provider };
}

function input(overrides: Partial<CreateSandboxInput> = {}): CreateSandboxInput {
  return {
    tenantId: "t-1",
    sessionId: "s-1",
    incarnation: "01jinc",
    repo: { kind: "github", owner: "octo", name: "widgets" },
    bootstrap: {
      NIGHTSHIFT_CONTROL_PLANE_URL: "https://nightshift.example.com",
      NIGHTSHIFT_SESSION_ID: "s-1",
      NIGHTSHIFT_BOOTSTRAP_TOKEN: "bootstrap-token-value-0123456789",
    },
    labels: { "nightshift.tenant": "t-1", "nightshift.session": "s-1", "nightshift.incarnation": "01jinc" },
    idleTimeoutSeconds: 1800,
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<SandboxProviderError> {
  const outcome = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(SandboxProviderError);
  return outcome as SandboxProviderError;
}

describe("DaytonaSandboxProvider snapshots", () => {
  it("names the snapshot after the sandbox's session and the deployment, so the sweep can judge it if its recording is lost", async () => {
    const session = "01jsnapshotsweep0000000000";
    const { provider } = setup({}, { deployment: "prod" });
    const first = await provider.create(
      input({
        labels: {
          "nightshift.tenant": "t-1",
          "nightshift.session": session,
          "nightshift.incarnation": "01jinc",
        },
      }),
    );
    const snapshot = await provider.snapshot(first.providerId, "resume");
    expect(parseSnapshotName(snapshot.ref)).toEqual({
      purpose: "resume",
      deploymentTag: await deploymentTag("prod"),
      sessionId: session,
    });
  });

  it("a snapshot for a session the caller names reads no sandbox from Daytona first", async () => {
    const session = "01jsnapshotowner0000000000";
    const { api, provider } = setup({}, { deployment: "prod" });
    const { providerId } = await provider.create(input());
    const before = api.requests.length;
    const snapshot = await provider.snapshot(providerId, "warm", { sessionId: session });
    expect(parseSnapshotName(snapshot.ref)?.sessionId).toBe(session);
    const calls = api.requests.slice(before).map((r) => `${r.method} ${r.path.replace(/\?.*$/, "")}`);
    expect(calls).not.toContain(`GET /api/sandbox/${providerId}`);
    expect(calls[0]).toBe(`POST /api/sandbox/${providerId}/snapshot`);
  });

  it("snapshots a sandbox with POST /sandbox/{id}/snapshot, waits until it is active, and a create starts from it", async () => {
    const { api, provider } = setup({ delays: { snapshotMs: 120 } });
    const first = await provider.create(input());
    const snapshot = await provider.snapshot(first.providerId, "resume");
    expect(snapshot.ref.startsWith(`${SNAPSHOT_NAME_PREFIX}resume-`)).toBe(true);
    const taken = api.requests.find((r) => r.method === "POST" && r.path.endsWith("/snapshot"));
    expect(taken).toMatchObject({
      path: `/api/sandbox/${first.providerId}/snapshot`,
      body: { name: snapshot.ref },
      authorized: true,
    });
    // Not returned before Daytona said it is usable: it was polled until active.
    expect(api.snapshots.find(snapshot.ref)?.state).toBe("active");
    expect(api.requests.filter((r) => r.path === `/api/snapshots/${snapshot.ref}`).length).toBeGreaterThan(1);

    const second = await provider.create(
      input({ incarnation: "01jinc2", fromSnapshot: snapshot.ref, labels: { ...input().labels } }),
    );
    expect(api.store.find(second.providerId)?.snapshot).toBe(snapshot.ref);
    const creates = api.requests.filter((r) => r.method === "POST" && r.path === "/api/sandbox");
    expect(creates.map((r) => (r.body as { snapshot: string }).snapshot)).toEqual(["ns-base", snapshot.ref]);
  });

  it("deletes a snapshot by its id and treats one Daytona no longer has as deleted", async () => {
    const { api, provider } = setup();
    const { providerId } = await provider.create(input());
    const { ref } = await provider.snapshot(providerId, "resume");
    const id = api.snapshots.find(ref)?.id;
    await provider.deleteSnapshot(ref);
    expect(api.snapshots.find(ref)).toBeNull();
    expect(api.requests.some((r) => r.method === "DELETE" && r.path === `/api/snapshots/${id}`)).toBe(true);
    await expect(provider.deleteSnapshot(ref)).resolves.toBeUndefined();
    // The base snapshot is never touched by a delete of another name.
    expect(api.snapshots.find("ns-base")?.state).toBe("active");
  });

  it("a create from a snapshot Daytona no longer has fails as permanent, naming the snapshot, not DAYTONA_SNAPSHOT", async () => {
    const { provider } = setup();
    const error = await failure(provider.create(input({ fromSnapshot: "nightshift-resume-gone-1" })));
    expect(error.kind).toBe("permanent");
    expect(error.message).toMatch(/no longer has the snapshot "nightshift-resume-gone-1"/);
    expect(error.message).not.toMatch(/DAYTONA_SNAPSHOT/);
  });

  it("a snapshot of a sandbox Daytona does not know fails as permanent; an outage is transient; neither leaks the key", async () => {
    const { api, provider } = setup();
    const unknown = await failure(provider.snapshot("no-such-sandbox", "resume"));
    expect(unknown.kind).toBe("permanent");
    // The name is made from the sandbox's labels, so the first call that meets the unknown id reads it.
    expect(unknown.message).toMatch(/read the sandbox \(HTTP 404/);
    const { providerId } = await provider.create(input());
    api.injectFault({ status: 503, calls: 1 });
    const outage = await failure(provider.snapshot(providerId, "resume"));
    expect(outage.kind).toBe("transient");
    for (const error of [unknown, outage]) expect(error.message).not.toContain(KEY);
  });

  it("a snapshot that does not become active in time is a transient failure and is deleted", async () => {
    const { api, provider } = setup({ delays: { snapshotMs: 60_000 } }, { snapshotTimeoutMs: 100 });
    const { providerId } = await provider.create(input());
    const error = await failure(provider.snapshot(providerId, "resume"));
    expect(error.kind).toBe("transient");
    expect(error.message).toMatch(/did not finish the sandbox's snapshot within 0\.1 s \(state pending\)/);
    expect(api.snapshots.list(SNAPSHOT_NAME_PREFIX)).toEqual([]);
    api.snapshots.clearTimers();
  });

  it("a snapshot Daytona puts in its error state fails as permanent with the reason, and is deleted", async () => {
    const { api, provider } = setup({ delays: { snapshotMs: 60_000 } });
    const { providerId } = await provider.create(input());
    const pending = provider.snapshot(providerId, "resume");
    await new Promise((resolve) => setTimeout(resolve, 30));
    const [taken] = api.snapshots.list(SNAPSHOT_NAME_PREFIX);
    Object.assign(taken!, { state: "error", errorReason: "disk flatten failed" });
    const error = await failure(pending);
    expect(error.kind).toBe("permanent");
    expect(error.message).toContain("disk flatten failed");
    expect(api.snapshots.list(SNAPSHOT_NAME_PREFIX)).toEqual([]);
    api.snapshots.clearTimers();
  });
});
