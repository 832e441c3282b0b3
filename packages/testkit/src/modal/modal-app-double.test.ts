/**
 * The Modal app double speaks the app's wire format (packages/modal-app/README.md): Modal's proxy
 * auth in front, the same paths, shapes and codes, the create rules, state over time, injected
 * failures, and each sandbox's runtime started on the sandbox host with only its bootstrap env.
 */
import {
  hostSigningString,
  SANDBOX_HOST_SIGNATURE_HEADER,
  SANDBOX_HOST_TIMESTAMP_HEADER,
  signHostRequest,
} from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import {
  createModalAppApi,
  type ModalAppApiOptions,
  type ModalSandboxHost,
  startModalAppDouble,
} from "./index";

const TOKEN = { id: "wk-test-key", secret: "ws-test-secret" };
const AUTH = { "modal-key": TOKEN.id, "modal-secret": TOKEN.secret, "content-type": "application/json" };
const BOOTSTRAP = "nsb.bootstrap-token-value";

function createBody(n = 1, extra: Record<string, unknown> = {}) {
  return {
    env: {
      NIGHTSHIFT_CONTROL_PLANE_URL: "https://nightshift.example.com",
      NIGHTSHIFT_SESSION_ID: `ses${n}`,
      NIGHTSHIFT_BOOTSTRAP_TOKEN: BOOTSTRAP,
    },
    labels: {
      "nightshift.tenant": "ten1",
      "nightshift.session": `ses${n}`,
      "nightshift.incarnation": `inc${n}`,
    },
    allowHosts: ["registry.npmjs.org"],
    ...extra,
  };
}

/** The fields of the app's answers the tests read (sandbox, list, snapshot, error, or Modal's text). */
interface Answer {
  id: string;
  labels: Record<string, string>;
  snapshotId: string;
  fromSnapshot: string | null;
  sandboxes: unknown[];
  error: { code: string; message: string };
}

function app(options: Partial<ModalAppApiOptions> = {}) {
  const api = createModalAppApi({ proxyToken: TOKEN, ...options });
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = AUTH,
  ) => {
    const res = await api.fetch(
      new Request(`http://modal.test${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    );
    const text = await res.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: res.status, json: json as Answer, type: res.headers.get("content-type") };
  };
  return { api, call };
}

/** A sandbox host that checks signatures like the real one and keeps each runtime's state. */
function recordingHost(secret: string) {
  const created: { body: unknown }[] = [];
  const states = new Map<string, { state: string; exitCode: number | null }>();
  const fetchImpl = (async (input: Request | string | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const body = await request.text();
    const ts = request.headers.get(SANDBOX_HOST_TIMESTAMP_HEADER) ?? "";
    const expected = await signHostRequest(secret, hostSigningString(ts, request.method, url.pathname, body));
    if (request.headers.get(SANDBOX_HOST_SIGNATURE_HEADER) !== expected)
      return Response.json({ error: { code: "unauthorized", message: "bad signature" } }, { status: 401 });
    const info = (id: string) => ({
      id,
      sessionId: "s",
      incarnation: "i",
      isolation: "bubblewrap",
      pid: 1,
      createdAt: new Date().toISOString(),
      endedAt: null,
      ...states.get(id),
    });
    if (request.method === "POST") {
      const id = `sbx_${created.length + 1}`;
      created.push({ body: JSON.parse(body) });
      states.set(id, { state: "running", exitCode: null });
      return Response.json(info(id), { status: 201 });
    }
    const id = decodeURIComponent(url.pathname.split("/").pop() ?? "");
    if (request.method === "DELETE") states.set(id, { state: "terminated", exitCode: 143 });
    return Response.json(info(id));
  }) as typeof fetch;
  const target: ModalSandboxHost = { url: "http://host.test", secret, fetch: fetchImpl };
  return { target, created, states };
}

describe("Modal app double", () => {
  it("answers 401 in Modal's words, as text, without the proxy-auth headers or with a wrong secret", async () => {
    const { api, call } = app();
    const missing = await call("POST", "/v1/sandboxes", createBody(), { "content-type": "application/json" });
    expect(missing.status).toBe(401);
    expect(missing.json).toBe("modal-http: missing credentials for proxy authorization");
    const wrong = await call("GET", "/v1/health", undefined, { ...AUTH, "modal-secret": "ws-wrong" });
    expect(wrong.status).toBe(401);
    expect(api.sandboxes()).toEqual([]);
    expect(api.requests.map((r) => r.authorized)).toEqual([false, false]);
  });

  it("creates a sandbox in the app's shape and runs its runtime on the host with only the bootstrap env", async () => {
    const host = recordingHost("host-secret");
    const { api, call } = app({ sandboxHost: host.target });
    const { status, json } = await call("POST", "/v1/sandboxes", createBody());
    expect(status).toBe(201);
    expect(json).toEqual({
      id: expect.stringMatching(/^sb-[A-Za-z0-9]+$/),
      state: "running",
      exitCode: null,
      labels: createBody().labels,
      isolation: "bubblewrap",
      warnings: [],
      fromSnapshot: null,
    });
    expect(host.created).toHaveLength(1);
    expect(host.created[0]?.body).toMatchObject({
      sessionId: "ses1",
      incarnation: "inc1",
      env: createBody().env,
      egress: { allowHosts: ["registry.npmjs.org"] },
    });
    expect(api.sandboxes()[0]).toMatchObject({
      envNames: Object.keys(createBody().env).sort(),
      hostId: "sbx_1",
    });
  });

  it("reports the runtime's exit as the sandbox's state, and terminate stops it on the host", async () => {
    const host = recordingHost("host-secret");
    const { call } = app({ sandboxHost: host.target });
    const first = (await call("POST", "/v1/sandboxes", createBody(1))).json;
    const second = (await call("POST", "/v1/sandboxes", createBody(2))).json;
    host.states.set("sbx_1", { state: "exited", exitCode: 3 });
    expect((await call("GET", `/v1/sandboxes/${first.id}`)).json).toMatchObject({
      state: "exited",
      exitCode: 3,
    });
    const ended = await call("DELETE", `/v1/sandboxes/${second.id}`);
    expect(ended).toMatchObject({ status: 200, json: { id: second.id, state: "terminated" } });
    expect(host.states.get("sbx_2")?.state).toBe("terminated");
    expect((await call("GET", `/v1/sandboxes/${second.id}`)).json).toMatchObject({ state: "terminated" });
    expect((await call("DELETE", `/v1/sandboxes/${second.id}`)).status).toBe(200);
    expect((await call("DELETE", "/v1/sandboxes/sb-neverexisted")).status).toBe(404);
    expect((await call("GET", "/v1/sandboxes/not-an-id")).status).toBe(404);
  });

  it("refuses what the real app refuses, naming the field and never the value", async () => {
    const { api, call } = app();
    const smuggled = createBody();
    (smuggled.env as Record<string, string>).GITHUB_TOKEN = "ghs_do-not-carry";
    const refused = await call("POST", "/v1/sandboxes", smuggled);
    expect(refused.status).toBe(400);
    expect(refused.json.error.code).toBe("invalid_request");
    expect(refused.json.error.message).toContain("GITHUB_TOKEN");
    expect(JSON.stringify(refused.json)).not.toContain("ghs_do-not-carry");
    for (const bad of [
      { ...createBody(), labels: { "nightshift.tenant": "t" } },
      { ...createBody(), allowHosts: ["https://x/ y"] },
      { ...createBody(), image: "evil" },
      { ...createBody(), snapshotId: "../x" },
    ]) {
      expect((await call("POST", "/v1/sandboxes", bad)).status).toBe(400);
    }
    expect(api.sandboxes()).toEqual([]);
    expect((await call("PUT", "/v1/sandboxes")).status).toBe(405);
    expect((await call("GET", "/v2/anything")).status).toBe(404);
  });

  it("answers a retried create of the same incarnation with the first sandbox", async () => {
    const { api, call } = app();
    const first = (await call("POST", "/v1/sandboxes", createBody())).json;
    const again = await call("POST", "/v1/sandboxes", createBody());
    expect(again.status).toBe(201);
    expect(again.json.id).toBe(first.id);
    expect(api.sandboxes()).toHaveLength(1);
  });

  it("lists the running sandboxes matching every label asked for", async () => {
    const { call } = app();
    const a = (await call("POST", "/v1/sandboxes", createBody(1))).json;
    const b = (await call("POST", "/v1/sandboxes", createBody(2))).json;
    await call("DELETE", `/v1/sandboxes/${a.id}`);
    const all = await call("GET", "/v1/sandboxes");
    expect(all.json).toEqual({
      sandboxes: [{ id: b.id, state: "running", exitCode: null, labels: b.labels }],
      truncated: false,
    });
    const none = await call("GET", "/v1/sandboxes?label=nightshift.session=ses1");
    expect(none.json.sandboxes).toEqual([]);
    expect((await call("GET", "/v1/sandboxes?label=team=x")).status).toBe(400);
  });

  it("snapshots a running sandbox and creates from the snapshot; an unknown snapshot is a 404", async () => {
    const { call } = app();
    const a = (await call("POST", "/v1/sandboxes", createBody(1))).json;
    const snap = await call("POST", `/v1/sandboxes/${a.id}/snapshots`);
    expect(snap).toMatchObject({
      status: 201,
      json: { sandboxId: a.id, snapshotId: expect.stringMatching(/^im-/) },
    });
    const restored = await call("POST", "/v1/sandboxes", createBody(2, { snapshotId: snap.json.snapshotId }));
    expect(restored.json.fromSnapshot).toBe(snap.json.snapshotId);
    expect((await call("POST", "/v1/sandboxes", createBody(3, { snapshotId: "im-gone" }))).status).toBe(404);
    await call("DELETE", `/v1/sandboxes/${a.id}`);
    expect((await call("POST", `/v1/sandboxes/${a.id}/snapshots`)).json.error.code).toBe("conflict");
  });

  it("injects 429s and outages for the number of calls asked, then recovers", async () => {
    const { call, api } = app();
    api.injectFault({ status: 429, calls: 1, only: "create", message: "quota reached" });
    api.injectFault({ status: 503, calls: 2 });
    expect(await call("POST", "/v1/sandboxes", createBody())).toMatchObject({
      status: 429,
      json: { error: { code: "rate_limited", message: "quota reached" } },
    });
    expect((await call("GET", "/v1/sandboxes")).status).toBe(503);
    expect((await call("POST", "/v1/sandboxes", createBody())).json.error.code).toBe("upstream_unavailable");
    expect((await call("POST", "/v1/sandboxes", createBody())).status).toBe(201);
  });

  it("takes the simulated provider time before answering a create", async () => {
    const { call } = app({ delays: { createMs: 150 } });
    const started = performance.now();
    expect((await call("POST", "/v1/sandboxes", createBody())).status).toBe(201);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("loses a sandbox behind Nightshift's back: its status is then a 404", async () => {
    const host = recordingHost("host-secret");
    const { api, call } = app({ sandboxHost: host.target });
    const a = (await call("POST", "/v1/sandboxes", createBody())).json;
    await api.vanish(a.id);
    expect((await call("GET", `/v1/sandboxes/${a.id}`)).status).toBe(404);
    expect(host.states.get("sbx_1")?.state).toBe("terminated");
  });
});

describe("Modal app double served on 127.0.0.1", () => {
  it("is reachable at its MODAL_APP_URL and closes cleanly", async () => {
    const double = await startModalAppDouble({ proxyToken: TOKEN });
    try {
      expect(double.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${double.url}/v1/health`, { headers: AUTH });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ok: true });
    } finally {
      await double.close();
    }
  });
});
