/**
 * The Modal provider against the testkit's double of our Modal app: what it sends (only the
 * bootstrap variables, the labels, the tenant's hosts, the proxy token), how each failure reads,
 * the extras (status, snapshots, listing), its settings, and the reconciler.
 */
import { describe, expect, it } from "vitest";
import { createModalAppApi, type ModalAppApi } from "../../../../testkit/src/modal/modal-app-api";
import type { Bindings } from "../../env";
import { createSandboxProvider } from "../factory";
import type { CreateSandboxInput } from "../provider";
import { modalConfigFrom } from "./modal-config";
import { ModalSandboxProvider } from "./modal-provider";

const TOKEN = { id: "wk-unit-key", secret: "ws-unit-secret-0123456789" };
const BOOTSTRAP_TOKEN = "bootstrap.jwt.value-that-must-stay-put";

function input(n = 1, allowHosts = ["registry.npmjs.org"]): CreateSandboxInput {
  return {
    tenantId: "ten1",
    sessionId: `ses${n}`,
    incarnation: `inc${n}`,
    repo: { kind: "github", owner: "octo", name: "widgets" },
    bootstrap: {
      NIGHTSHIFT_CONTROL_PLANE_URL: "https://nightshift.example.com",
      NIGHTSHIFT_SESSION_ID: `ses${n}`,
      NIGHTSHIFT_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN,
    },
    labels: {
      "nightshift.tenant": "ten1",
      "nightshift.session": `ses${n}`,
      "nightshift.incarnation": `inc${n}`,
    },
    egress: { allowHosts },
    idleTimeoutSeconds: 1800,
  };
}

function setup(options: { deployment?: string; answer?: (request: Request) => Response | null } = {}) {
  const api = createModalAppApi({ proxyToken: TOKEN });
  const headers: Headers[] = [];
  const fetchDouble = (async (url: Request | string | URL, init?: RequestInit) => {
    const request = new Request(url, init);
    headers.push(request.headers);
    return options.answer?.(request) ?? api.fetch(request);
  }) as typeof fetch;
  const provider = new ModalSandboxProvider({
    appUrl: "https://ws--nightshift-sandboxes.modal.run",
    tokenId: TOKEN.id,
    tokenSecret: TOKEN.secret,
    ...(options.deployment ? { deployment: options.deployment } : {}),
    fetch: fetchDouble,
  });
  return { api, provider, headers };
}

const bodyOf = (api: ModalAppApi, i = 0) => api.requests[i]?.body as Record<string, unknown>;

async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e as Error & { kind: string },
  );
  expect(error).not.toBeNull();
  return error!;
}

describe("ModalSandboxProvider", () => {
  it("creates with only the bootstrap variables, the labels (and deployment), the tenant's hosts and the proxy token", async () => {
    const { api, provider, headers } = setup({ deployment: "prod" });
    const handle = await provider.create(input());
    expect(handle).toEqual({ providerId: expect.stringMatching(/^sb-/), isolation: "gvisor", warnings: [] });
    expect(bodyOf(api)).toEqual({
      env: input().bootstrap,
      labels: { ...input().labels, "nightshift.deployment": "prod" },
      allowHosts: ["registry.npmjs.org"],
    });
    expect(headers[0]?.get("modal-key")).toBe(TOKEN.id);
    expect(headers[0]?.get("modal-secret")).toBe(TOKEN.secret);
  });

  it("warns that Modal's domain allow-list cannot enforce the ports of the tenant's hosts", async () => {
    const { provider } = setup();
    const handle = await provider.create(input(1, ["registry.npmjs.org", "git.example.com:8443"]));
    expect(handle.warnings).toEqual([
      "Modal allows whole domains: the ports in the egress allow-list (git.example.com:8443) are not enforced",
    ]);
  });

  it("reads Modal's 401 as a permanent failure naming the secrets to check, never quoting them", async () => {
    const { provider } = setup({
      answer: () => new Response("modal-http: invalid credentials for proxy authorization", { status: 401 }),
    });
    const error = await failure(provider.create(input()));
    expect(error.kind).toBe("permanent");
    expect(error.message).toContain("MODAL_PROXY_TOKEN_ID and MODAL_PROXY_TOKEN_SECRET");
    for (const value of [TOKEN.secret, TOKEN.id, BOOTSTRAP_TOKEN]) expect(error.message).not.toContain(value);
  });

  it("tells a wrong MODAL_APP_URL (a 404 not from our app, a 2xx that is not its answer) from a refusal", async () => {
    const wrongPath = setup({ answer: () => new Response("Not Found", { status: 404 }) });
    const missing = await failure(wrongPath.provider.create(input()));
    expect([missing.kind, missing.message]).toEqual(["permanent", expect.stringContaining("MODAL_APP_URL")]);
    const notOurs = setup({ answer: () => new Response("<html>hello</html>", { status: 200 }) });
    const odd = await failure(notOurs.provider.create(input()));
    expect([odd.kind, odd.message]).toEqual(["permanent", expect.stringContaining("unexpected body")]);
  });

  it("an app that cannot restrict the network is a permanent failure pointing at the deployment", async () => {
    const { provider } = setup({
      answer: () =>
        Response.json(
          {
            error: {
              code: "network_allowlist_unsupported",
              message: "this Modal SDK cannot restrict a sandbox's network",
            },
          },
          { status: 500 },
        ),
    });
    const error = await failure(provider.create(input()));
    expect(error.kind).toBe("permanent");
    expect(error.message).toContain("docs/deploy-sandboxes.md");
  });

  it("a quota reached is capacity and an outage transient, in words", async () => {
    const { api, provider } = setup();
    api.injectFault({
      status: 429,
      calls: 1,
      message: "Modal's quota or rate limit is reached; retry later",
    });
    const full = await failure(provider.create(input()));
    expect([full.kind, full.message]).toEqual(["capacity", expect.stringContaining("waits for a free slot")]);
    api.injectFault({
      status: 503,
      calls: 1,
      message: "creating the sandbox: Modal is unavailable; retry later",
    });
    const down = await failure(provider.create(input()));
    expect([down.kind, down.message]).toEqual([
      "transient",
      expect.stringContaining("Nightshift will retry"),
    ]);
  });

  it("reports a sandbox's state, null once it is gone, and terminates idempotently", async () => {
    const { api, provider } = setup();
    const { providerId } = await provider.create(input());
    expect(await provider.status(providerId)).toMatchObject({ id: providerId, state: "running" });
    await provider.terminate(providerId);
    expect(await provider.status(providerId)).toMatchObject({ state: "terminated" });
    await api.vanish(providerId);
    expect(await provider.status(providerId)).toBeNull();
    await expect(provider.terminate(providerId)).resolves.toBeUndefined();
  });

  it("snapshots a sandbox and creates a new one from the snapshot", async () => {
    const { api, provider } = setup();
    const first = await provider.create(input(1));
    const { ref: snapshotId } = await provider.snapshot(first.providerId, "resume");
    expect(snapshotId).toMatch(/^im-/);
    const second = await provider.create({ ...input(2), fromSnapshot: snapshotId });
    expect(api.sandboxes().find((s) => s.id === second.providerId)?.fromSnapshot).toBe(snapshotId);
    expect((await failure(provider.create({ ...input(3), fromSnapshot: "../etc" }))).kind).toBe("permanent");
    expect((await failure(provider.create({ ...input(3), fromSnapshot: "im-unknown" }))).kind).toBe(
      "permanent",
    );
  });

  it("names a snapshot after its owner, lists it, and deletes it once (again is already done)", async () => {
    const { api, provider } = setup({ deployment: "prod" });
    const session = "01kbmodalsnapshotowner0000";
    const owned = { ...input(1), labels: { ...input(1).labels, "nightshift.session": session } };
    const { providerId } = await provider.create(owned);
    const { ref } = await provider.snapshot(providerId, "warm");
    expect(api.requests.at(-1)?.body).toEqual({ purpose: "warm" });
    const [listed] = (await provider.listSnapshots()).snapshots;
    expect(listed?.id).toBe(ref);
    expect(listed?.name).toMatch(new RegExp(`^nightshift-warm-[0-9a-f]{8}-${session}-[0-9a-z]+$`));
    await provider.deleteSnapshot(ref);
    expect(api.snapshotRecords()).toEqual([]);
    await expect(provider.deleteSnapshot(ref)).resolves.toBeUndefined();
    expect((await failure(provider.deleteSnapshot("../v1/sandboxes"))).kind).toBe("permanent");
  });

  it("lists only this deployment's sandboxes", async () => {
    const prod = setup({ deployment: "prod" });
    await prod.provider.create(input(1));
    const listed = await prod.provider.listSandboxes();
    expect(listed.map((s) => s.labels["nightshift.deployment"])).toEqual(["prod"]);
    expect(prod.api.requests.at(-1)?.path).toBe("/v1/sandboxes?label=nightshift.deployment%3Dprod");
  });
});

describe("Modal provider settings", () => {
  const env = {
    MODAL_APP_URL: "https://ws--nightshift-sandboxes.modal.run/",
    MODAL_PROXY_TOKEN_ID: "wk-1",
    MODAL_PROXY_TOKEN_SECRET: "ws-1",
  };

  it("are read from the Worker's vars, the URL without its trailing slash", () => {
    expect(modalConfigFrom({ ...env, NIGHTSHIFT_DEPLOYMENT: "prod" })).toEqual({
      appUrl: "https://ws--nightshift-sandboxes.modal.run",
      tokenId: "wk-1",
      tokenSecret: "ws-1",
      deployment: "prod",
    });
  });

  it("name what is missing or wrong, as permanent errors, never the token", () => {
    expect(() => modalConfigFrom({ MODAL_APP_URL: env.MODAL_APP_URL })).toThrow(
      /MODAL_PROXY_TOKEN_ID, MODAL_PROXY_TOKEN_SECRET/,
    );
    expect(() => modalConfigFrom({ ...env, MODAL_APP_URL: "http://modal.example.com" })).toThrow(/https/);
    expect(() => modalConfigFrom({ ...env, MODAL_APP_URL: "not a url" })).toThrow(/not a URL/);
    expect(() => modalConfigFrom({ ...env, MODAL_APP_URL: "https://x.modal.run/?a=1" })).toThrow(/query/);
    expect(() => modalConfigFrom({ ...env, NIGHTSHIFT_DEPLOYMENT: "Prod EU" })).toThrow(
      /NIGHTSHIFT_DEPLOYMENT/,
    );
    expect(modalConfigFrom({ ...env, MODAL_APP_URL: "http://127.0.0.1:9000" }).appUrl).toBe(
      "http://127.0.0.1:9000",
    );
  });

  it("SANDBOX_PROVIDER=modal picks the Modal provider, and says what it needs when unset", () => {
    const picked = createSandboxProvider({ SANDBOX_PROVIDER: "modal", ...env } as unknown as Bindings);
    expect(picked).toBeInstanceOf(ModalSandboxProvider);
    expect(() => createSandboxProvider({ SANDBOX_PROVIDER: "modal" } as unknown as Bindings)).toThrow(
      /needs MODAL_APP_URL, MODAL_PROXY_TOKEN_ID, MODAL_PROXY_TOKEN_SECRET/,
    );
  });
});
