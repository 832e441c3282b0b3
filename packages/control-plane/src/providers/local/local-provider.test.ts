/**
 * The local provider against the sandbox host's HTTP contract. Most cases inject `fetch` and
 * answer with the host's real statuses and error bodies (packages/sandbox-host/src/http/app.ts):
 * workerd cannot listen, so no server can run inside this test. One case calls the recording
 * sandbox host that global-setup serves on 127.0.0.1, which checks the signature as the host does.
 */
import { env } from "cloudflare:workers";
import { CreateSandboxRequest, type SandboxInfo } from "@nightshift/protocol";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Bindings } from "../../env";
import { type CreateSandboxInput, SandboxProviderError } from "../provider";
import { LocalSandboxProvider } from "./local-provider";

const HOST_URL = "http://127.0.0.1:7070";
const SECRET = "local-provider-test-secret";

const BOOTSTRAP = {
  NIGHTSHIFT_CONTROL_PLANE_URL: "http://127.0.0.1:8787",
  NIGHTSHIFT_SESSION_ID: "s-1",
  NIGHTSHIFT_BOOTSTRAP_TOKEN: "bootstrap-token-0123456789abcdef",
};

const input: CreateSandboxInput = {
  tenantId: "t-1",
  sessionId: "s-1",
  incarnation: "inc-1",
  repo: { kind: "local", path: "demo" },
  branch: "nightshift/readme",
  bootstrap: BOOTSTRAP,
  labels: { "nightshift.tenant": "t-1", "nightshift.session": "s-1", "nightshift.incarnation": "inc-1" },
  egress: { allowHosts: ["registry.npmjs.org", "*.example.com:8443"] },
  idleTimeoutSeconds: 1800,
};

/** What the host's POST /v1/sandboxes answers (201) for a sandbox it started. */
function hostSandboxView(overrides: Partial<SandboxInfo> = {}): SandboxInfo {
  return {
    id: "sbx-7",
    sessionId: "s-1",
    incarnation: "inc-1",
    state: "running",
    isolation: "bubblewrap",
    network: "isolated",
    warnings: [],
    pid: 4242,
    exitCode: null,
    createdAt: "2026-12-04T15:00:00.000Z",
    endedAt: null,
    ...overrides,
  };
}

/** The host's error envelope (errorBody in the sandbox host's app). */
function hostError(status: number, code: string, message: string): Response {
  return Response.json({ error: { code, message } }, { status });
}

/** A fetch that records each request and answers with the next response. */
function scriptedHost(...answers: Array<() => Response | Promise<Response>>) {
  const requests: Request[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    requests.push(new Request(input, init));
    const answer = answers[requests.length - 1];
    if (!answer) throw new Error(`unexpected request ${requests.length}`);
    return answer();
  };
  return { requests, fetch: fetch as typeof globalThis.fetch };
}

/** The documented scheme, computed here on its own: HMAC-SHA256 of `<ts>.<METHOD>.<path>.<body>`, `v1=<hex>`. */
async function expectedSignature(ts: string, method: string, path: string, body: string): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    enc.encode(SECRET),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(
    await crypto.subtle.sign("HMAC", key, enc.encode(`${ts}.${method}.${path}.${body}`)),
  );
  return `v1=${[...mac].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

async function providerError(promise: Promise<unknown>): Promise<SandboxProviderError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SandboxProviderError);
  return err as SandboxProviderError;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("LocalSandboxProvider", () => {
  it("signs create with HMAC over timestamp, method, path and body, and sends the egress allow-list", async () => {
    const host = scriptedHost(() => Response.json(hostSandboxView(), { status: 201 }));
    const provider = new LocalSandboxProvider({ hostUrl: HOST_URL, secret: SECRET, fetch: host.fetch });
    const before = Math.floor(Date.now() / 1000);
    const handle = await provider.create(input);
    expect(handle).toEqual({ providerId: "sbx-7", isolation: "bubblewrap", warnings: [] });

    const [req] = host.requests;
    expect(req?.method).toBe("POST");
    expect(req?.url).toBe(`${HOST_URL}/v1/sandboxes`);
    expect(req?.headers.get("content-type")).toBe("application/json");
    const ts = req?.headers.get("x-nightshift-timestamp") ?? "";
    expect(Number(ts)).toBeGreaterThanOrEqual(before);
    expect(Number(ts)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    const body = (await req?.text()) ?? "";
    expect(req?.headers.get("x-nightshift-signature")).toBe(
      await expectedSignature(ts, "POST", "/v1/sandboxes", body),
    );
    const sent = JSON.parse(body) as unknown;
    expect(sent).toEqual({
      sessionId: "s-1",
      incarnation: "inc-1",
      repo: { kind: "local", path: "demo" },
      env: BOOTSTRAP,
      tenantId: "t-1",
      branch: "nightshift/readme",
      egress: { allowHosts: ["registry.npmjs.org", "*.example.com:8443"] },
    });
    // The host validates with this schema (strict: an unknown key would be a 400).
    expect(CreateSandboxRequest.safeParse(sent).success).toBe(true);
  });

  it("leaves egress out of the create body when the session has none, and passes the host's warnings on", async () => {
    const warnings = ["network is not isolated: the sandbox shares the host's network"];
    const host = scriptedHost(() =>
      Response.json(hostSandboxView({ isolation: "process", network: "shared", warnings }), { status: 201 }),
    );
    const provider = new LocalSandboxProvider({ hostUrl: HOST_URL, secret: SECRET, fetch: host.fetch });
    const { egress: _egress, ...withoutEgress } = input;
    expect(await provider.create(withoutEgress)).toEqual({
      providerId: "sbx-7",
      isolation: "process",
      warnings,
    });
    expect(Object.keys(JSON.parse((await host.requests[0]?.text()) ?? "{}") as object)).not.toContain(
      "egress",
    );
  });

  it("signs terminate over the escaped sandbox path and an empty body", async () => {
    const host = scriptedHost(() =>
      Response.json(hostSandboxView({ state: "terminated", endedAt: "2026-12-04T15:01:00.000Z" })),
    );
    const provider = new LocalSandboxProvider({ hostUrl: HOST_URL, secret: SECRET, fetch: host.fetch });
    await provider.terminate("sbx/7");
    const [req] = host.requests;
    expect(req?.method).toBe("DELETE");
    expect(req?.url).toBe(`${HOST_URL}/v1/sandboxes/sbx%2F7`);
    expect(await req?.text()).toBe("");
    const ts = req?.headers.get("x-nightshift-timestamp") ?? "";
    expect(req?.headers.get("x-nightshift-signature")).toBe(
      await expectedSignature(ts, "DELETE", "/v1/sandboxes/sbx%2F7", ""),
    );
  });

  it("terminate accepts a sandbox the host no longer knows (404) but reports any other refusal", async () => {
    const host = scriptedHost(
      () => hostError(404, "not_found", "no such sandbox on this host"),
      () => hostError(500, "internal", "the sandbox host failed; see its log"),
    );
    const provider = new LocalSandboxProvider({ hostUrl: HOST_URL, secret: SECRET, fetch: host.fetch });
    await expect(provider.terminate("sbx-gone")).resolves.toBeUndefined();
    const err = await providerError(provider.terminate("sbx-7"));
    expect(err.kind).toBe("transient");
    expect(err.message).toBe(
      "sandbox host refused DELETE /v1/sandboxes/sbx-7: the sandbox host failed; see its log",
    );
  });

  it.each([
    [500, "internal", "transient", "the sandbox host failed; see its log"],
    [429, "rate_limited", "capacity", "this host already runs 20 sandboxes; retry later"],
    [400, "invalid_request", "permanent", 'repository "nope" is not a directory'],
    [401, "unauthorized", "permanent", "replayed request: this signature was already used"],
    [404, "not_found", "permanent", "no route for POST /v1/sandboxes"],
  ] as const)(
    "classifies a create refused with HTTP %i (%s) as %s and keeps the host's message whole: %s",
    async (status, code, kind, message) => {
      const host = scriptedHost(() => hostError(status, code, message));
      const provider = new LocalSandboxProvider({ hostUrl: HOST_URL, secret: SECRET, fetch: host.fetch });
      const err = await providerError(provider.create(input));
      expect(err.kind).toBe(kind);
      expect(err.message).toBe(`sandbox host refused POST /v1/sandboxes: ${message}`);
    },
  );

  it("names the status when the host's refusal has no message", async () => {
    const host = scriptedHost(() => new Response("Bad Gateway", { status: 502 }));
    const provider = new LocalSandboxProvider({ hostUrl: HOST_URL, secret: SECRET, fetch: host.fetch });
    const err = await providerError(provider.create(input));
    expect(err.kind).toBe("transient");
    expect(err.message).toBe("sandbox host refused POST /v1/sandboxes: HTTP 502");
  });

  it("treats a create answer that is not a sandbox as permanent", async () => {
    const host = scriptedHost(() => Response.json({ id: "sbx-7" }, { status: 201 }));
    const provider = new LocalSandboxProvider({ hostUrl: HOST_URL, secret: SECRET, fetch: host.fetch });
    const err = await providerError(provider.create(input));
    expect(err).toMatchObject({
      kind: "permanent",
      message: "sandbox host answered with an unexpected body",
    });
  });

  it("treats an unreachable host as transient and says how to start it", async () => {
    const provider = new LocalSandboxProvider({
      hostUrl: HOST_URL,
      secret: SECRET,
      fetch: () => Promise.reject(new TypeError("Network connection lost.")),
    });
    const err = await providerError(provider.create(input));
    expect(err.kind).toBe("transient");
    expect(err.message).toBe(
      `cannot reach the sandbox host at ${HOST_URL}; is it running (make dev starts it)?`,
    );
  });

  it("gives up on a host that does not answer within 30 s, as a transient failure", async () => {
    vi.useFakeTimers();
    let aborted = false;
    const provider = new LocalSandboxProvider({
      hostUrl: HOST_URL,
      secret: SECRET,
      // A host that never answers: the request only ends when the provider aborts it.
      fetch: (_input, init) =>
        new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener("abort", () => {
            aborted = true;
            reject(init.signal?.reason);
          });
        }),
    });
    const settled = providerError(provider.create(input));
    await vi.advanceTimersByTimeAsync(29_999);
    expect(aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(aborted).toBe(true);
    const err = await settled;
    expect(err.kind).toBe("transient");
    expect(err.message).toBe(`the sandbox host at ${HOST_URL} did not answer within 30 s`);
  });

  it("is accepted by the recording sandbox host on loopback, which refuses a request signed with another secret", async () => {
    const { SANDBOX_HOST_URL: hostUrl = "", SANDBOX_HOST_SECRET: secret = "" } = env as unknown as Bindings;
    expect(hostUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const signed = new LocalSandboxProvider({ hostUrl, secret });
    const sessionId = `s-${crypto.randomUUID()}`;
    const handle = await signed.create({
      ...input,
      sessionId,
      bootstrap: { ...BOOTSTRAP, NIGHTSHIFT_SESSION_ID: sessionId },
    });
    expect(handle.providerId).toMatch(/^sbx-\d+$/);
    await expect(signed.terminate(handle.providerId)).resolves.toBeUndefined();
    const forged = new LocalSandboxProvider({ hostUrl, secret: "not-the-host-secret" });
    const err = await providerError(forged.create(input));
    expect(err).toMatchObject({
      kind: "permanent",
      message: "sandbox host refused POST /v1/sandboxes: bad signature",
    });
  });
});
