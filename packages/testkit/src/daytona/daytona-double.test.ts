/**
 * The Daytona double's wire format: what the provider relies on, as Daytona v0.190.0 answers it,
 * and the runtime delegated to a (recording) sandbox host with the sandbox's bootstrap env.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RecordingSandboxHost, startRecordingSandboxHost } from "../sandbox-host/recording-sandbox-host";
import { waitFor } from "../wait-for";
import { DEFAULT_RUNTIME_COMMAND } from "./daytona-api";
import { type DaytonaDouble, startDaytonaDouble } from "./daytona-double";

const API_KEY = "dtn_test_key_0123456789";
const HOST_SECRET = "host-secret-for-the-daytona-double";
let daytona: DaytonaDouble;
let host: RecordingSandboxHost;

beforeAll(async () => {
  host = await startRecordingSandboxHost(HOST_SECRET);
  daytona = await startDaytonaDouble({
    apiKey: API_KEY,
    snapshots: ["nightshift-sandbox"],
    delays: { startMs: 150, snapshotMs: 150 },
    maxPageSize: 2,
    sandboxHost: { url: host.url, secret: HOST_SECRET },
  });
});

afterAll(async () => {
  await daytona?.close();
  await host?.close();
});

function call(method: string, path: string, body?: unknown, key = API_KEY): Promise<Response> {
  const base = path.startsWith("/toolbox") ? daytona.url.replace(/\/api$/, "") : daytona.url;
  return fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

const createBody = (session: string, extra: Record<string, unknown> = {}) => ({
  snapshot: "nightshift-sandbox",
  env: { NIGHTSHIFT_CONTROL_PLANE_URL: "http://127.0.0.1:9", NIGHTSHIFT_BOOTSTRAP_TOKEN: "boot-1" },
  labels: {
    "nightshift.deployment": "wire",
    "nightshift.session": session,
    "nightshift.incarnation": "inc-1",
  },
  autoStopInterval: 30,
  autoDeleteInterval: 0,
  domainAllowList: "registry.npmjs.org",
  ...extra,
});

async function started(session: string): Promise<{ id: string; toolboxProxyUrl: string }> {
  const res = await call("POST", "/sandbox", createBody(session));
  expect(res.status).toBe(200);
  const sandbox = (await res.json()) as { id: string; toolboxProxyUrl: string };
  await waitFor(
    async () =>
      ((await (await call("GET", `/sandbox/${sandbox.id}`)).json()) as { state: string }).state === "started",
    "the sandbox to start",
  );
  return sandbox;
}

describe("Daytona double: REST API", () => {
  it("refuses a request without the API key with Daytona's error body", async () => {
    const res = await call("GET", "/sandbox", undefined, "wrong");
    expect(res.status).toBe(401);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      statusCode: 401,
      error: "Unauthorized",
      message: "Unauthorized",
      path: "/api/sandbox",
    });
    expect(typeof body.timestamp).toBe("string");
  });

  it("creates a sandbox that goes creating → started after the configured delay, keeping what it was given", async () => {
    const res = await call("POST", "/sandbox", createBody("s-create"));
    const sandbox = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(200);
    expect(sandbox).toMatchObject({
      state: "creating",
      snapshot: "nightshift-sandbox",
      autoStopInterval: 30,
      autoDeleteInterval: 0,
      domainAllowList: "registry.npmjs.org",
      labels: { "nightshift.session": "s-create" },
    });
    expect(String(sandbox.toolboxProxyUrl)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/toolbox$/);
    await waitFor(
      async () =>
        ((await (await call("GET", `/sandbox/${sandbox.id}`)).json()) as { state: string }).state ===
        "started",
      "started",
    );
  });

  it("refuses an unknown snapshot and an unknown field with 400", async () => {
    const bad = await call("POST", "/sandbox", createBody("s-bad", { snapshot: "nope" }));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toBe("Snapshot nope not found");
    const extra = await call("POST", "/sandbox", createBody("s-bad", { colour: "blue" }));
    expect(extra.status).toBe(400);
  });

  it("lists by labels in pages, never another deployment's sandboxes", async () => {
    for (const n of [1, 2, 3])
      await call(
        "POST",
        "/sandbox",
        createBody(`s-list-${n}`, { labels: { "nightshift.deployment": "listing" } }),
      );
    await call("POST", "/sandbox", createBody("s-other", { labels: { "nightshift.deployment": "other" } }));
    const labels = encodeURIComponent(JSON.stringify({ "nightshift.deployment": "listing" }));
    const first = (await (await call("GET", `/sandbox?labels=${labels}&page=1&limit=100`)).json()) as {
      items: unknown[];
      total: number;
      totalPages: number;
    };
    expect(first).toMatchObject({ total: 3, totalPages: 2, page: 1 });
    expect(first.items).toHaveLength(2);
    const second = (await (await call("GET", `/sandbox?labels=${labels}&page=2&limit=100`)).json()) as {
      items: unknown[];
    };
    expect(second.items).toHaveLength(1);
  });

  it("answers a 429 with Retry-After, then a 503 outage, for as many calls as injected", async () => {
    daytona.injectFault({ status: 429, calls: 1, retryAfterSeconds: 3, only: "create" });
    daytona.injectFault({ status: 503, calls: 2 });
    const limited = await call("POST", "/sandbox", createBody("s-fault"));
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("3");
    expect((await call("GET", "/sandbox")).status).toBe(503);
    expect((await call("GET", "/sandbox")).status).toBe(503);
    expect((await call("GET", "/sandbox")).status).toBe(200);
  });

  it("deletes: destroying, then gone (404 afterwards)", async () => {
    const { id } = await started("s-delete");
    expect((await call("DELETE", `/sandbox/${id}`)).status).toBe(200);
    await waitFor(async () => (await call("GET", `/sandbox/${id}`)).status === 404, "the sandbox to be gone");
    expect((await call("DELETE", `/sandbox/${id}`)).status).toBe(404);
  });
});

describe("Daytona double: snapshots", () => {
  it("takes a snapshot from a sandbox (snapshotting, then active), creates from it, and deletes it by id (404 afterwards)", async () => {
    const { id } = await started("s-snap");
    const taken = await call("POST", `/sandbox/${id}/snapshot`, { name: "ns-resume-s-snap-1" });
    expect(taken.status).toBe(200);
    expect(((await taken.json()) as { state: string }).state).toBe("snapshotting");
    // A second one while the first is taken conflicts, as Daytona's job check does.
    expect((await call("POST", `/sandbox/${id}/snapshot`, { name: "ns-resume-s-snap-2" })).status).toBe(409);
    // Not active yet: a create from it is refused.
    const early = await call(
      "POST",
      "/sandbox",
      createBody("s-snap-early", { snapshot: "ns-resume-s-snap-1" }),
    );
    expect(early.status).toBe(400);
    expect(((await early.json()) as { message: string }).message).toBe(
      "Snapshot ns-resume-s-snap-1 is not active",
    );
    const snapshot = await waitFor(async () => {
      const res = await call("GET", "/snapshots/ns-resume-s-snap-1");
      const body = (await res.json()) as { id: string; state: string };
      return body.state === "active" ? body : null;
    }, "the snapshot to be active");
    expect(((await (await call("GET", `/sandbox/${id}`)).json()) as { state: string }).state).toBe("started");
    const listed = (await (await call("GET", "/snapshots?name=ns-resume-s-snap")).json()) as {
      items: { name: string }[];
    };
    expect(listed.items.map((s) => s.name)).toEqual(["ns-resume-s-snap-1"]);
    const resumed = await call(
      "POST",
      "/sandbox",
      createBody("s-snap-2", { snapshot: "ns-resume-s-snap-1" }),
    );
    expect(resumed.status).toBe(200);
    expect(((await resumed.json()) as { snapshot: string }).snapshot).toBe("ns-resume-s-snap-1");
    // Deleted by id; by name (or again) it is unknown.
    expect((await call("DELETE", "/snapshots/ns-resume-s-snap-1")).status).toBe(404);
    expect((await call("DELETE", `/snapshots/${snapshot.id}`)).status).toBe(200);
    const gone = await call("GET", "/snapshots/ns-resume-s-snap-1");
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { message: string }).message).toBe(
      "Snapshot with ID or name ns-resume-s-snap-1 not found",
    );
    expect((await call("DELETE", `/snapshots/${snapshot.id}`)).status).toBe(404);
  });

  it("refuses a snapshot of an unknown sandbox with 404 and a body without a name with 400", async () => {
    expect((await call("POST", "/sandbox/no-such-sandbox/snapshot", { name: "x" })).status).toBe(404);
    const { id } = await started("s-snap-bad");
    expect((await call("POST", `/sandbox/${id}/snapshot`, {})).status).toBe(400);
  });
});

describe("Daytona double: toolbox", () => {
  it("runs the runtime command on the sandbox host with the sandbox's env, and ends it on delete", async () => {
    const { id } = await started("s-run");
    expect((await call("POST", `/toolbox/${id}/process/session`, { sessionId: "nightshift" })).status).toBe(
      201,
    );
    expect((await call("POST", `/toolbox/${id}/process/session`, { sessionId: "nightshift" })).status).toBe(
      409,
    );
    const exec = await call("POST", `/toolbox/${id}/process/session/nightshift/exec`, {
      command: DEFAULT_RUNTIME_COMMAND,
      runAsync: true,
    });
    expect(exec.status).toBe(202);
    const { cmdId } = (await exec.json()) as { cmdId: string };
    const created = host.requests.find(
      (r) => r.method === "POST" && (r.body as { sessionId?: string }).sessionId === "s-run",
    );
    expect(created?.body).toMatchObject({
      incarnation: "inc-1",
      env: { NIGHTSHIFT_BOOTSTRAP_TOKEN: "boot-1" },
      egress: { allowHosts: ["registry.npmjs.org"] },
    });
    // The recording host answers no status: the command is followed in the end-to-end suite.
    expect(cmdId).toMatch(/^[0-9a-f-]{36}$/);
    await call("DELETE", `/sandbox/${id}`);
    await waitFor(
      () => host.requests.some((r) => r.method === "DELETE"),
      "the host to be told to end the runtime",
    );
  });

  it("a broken runtime exits at once and its logs say why", async () => {
    const { id } = await started("s-broken");
    daytona.failRuntime({ exitCode: 1, output: "node: cannot find /opt/nightshift/runtime.mjs\n" });
    try {
      await call("POST", `/toolbox/${id}/process/session`, { sessionId: "nightshift" });
      const exec = await call("POST", `/toolbox/${id}/process/session/nightshift/exec`, {
        command: DEFAULT_RUNTIME_COMMAND,
        runAsync: true,
      });
      const { cmdId } = (await exec.json()) as { cmdId: string };
      const status = (await (
        await call("GET", `/toolbox/${id}/process/session/nightshift/command/${cmdId}`)
      ).json()) as {
        exitCode?: number;
      };
      expect(status.exitCode).toBe(1);
      const logs = (await (
        await call("GET", `/toolbox/${id}/process/session/nightshift/command/${cmdId}/logs`)
      ).json()) as {
        stderr: string;
      };
      expect(logs.stderr).toContain("cannot find /opt/nightshift/runtime.mjs");
    } finally {
      daytona.failRuntime(null);
    }
  });

  it("an unknown command exits 127; a sandbox not started has no toolbox", async () => {
    const { id } = await started("s-other-cmd");
    await call("POST", `/toolbox/${id}/process/session`, { sessionId: "x" });
    const run = await call("POST", `/toolbox/${id}/process/session/x/exec`, { command: "rm -rf /" });
    expect(await run.json()).toMatchObject({ exitCode: 127 });
    await call("POST", `/sandbox/${id}/stop`);
    await waitFor(
      async () => (await call("POST", `/toolbox/${id}/process/session`, { sessionId: "y" })).status === 400,
      "no toolbox when stopped",
    );
  });
});
