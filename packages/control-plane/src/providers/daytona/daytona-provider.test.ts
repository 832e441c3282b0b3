/**
 * The Daytona provider over the testkit's Daytona double (in process): what it asks Daytona for,
 * how it starts the runtime, and that nothing outlives a failed start.
 */
import { describe, expect, it } from "vitest";
import { createDaytonaApi, type DaytonaApiOptions } from "../../../../testkit/src/daytona/daytona-api";
import { type CreateSandboxInput, SandboxProviderError } from "../provider";
import { daytonaConfigFrom } from "./daytona-config";
import {
  DAYTONA_ISOLATION,
  DAYTONA_RUNTIME_COMMAND,
  DAYTONA_RUNTIME_SESSION,
  type DaytonaProviderConfig,
  DaytonaSandboxProvider,
} from "./daytona-provider";

const KEY = "dtn_provider_test_key";
const TOKEN = "bootstrap-token-value-0123456789";

function setup(options: Partial<DaytonaApiOptions> = {}, config: Partial<DaytonaProviderConfig> = {}) {
  const api = createDaytonaApi({ apiKey: KEY, runtime: "none", snapshots: ["ns-snap"], ...options });
  const provider = new DaytonaSandboxProvider({
    apiUrl: "http://127.0.0.1:3986/api",
    apiKey: KEY,
    snapshot: "ns-snap",
    fetch: ((input: Request | string | URL, init?: RequestInit) =>
      api.fetch(new Request(input, init))) as typeof fetch,
    pollIntervalMs: 20,
    startCheckMs: 200,
    ...config,
  });
  const live = () => api.store.all().filter((s) => s.state !== "destroyed" && s.state !== "destroying");
  return { api, provider, live };
}

async function failure(promise: Promise<unknown>): Promise<SandboxProviderError> {
  const outcome = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(SandboxProviderError);
  return outcome as SandboxProviderError;
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
      NIGHTSHIFT_BOOTSTRAP_TOKEN: TOKEN,
    },
    labels: { "nightshift.tenant": "t-1", "nightshift.session": "s-1", "nightshift.incarnation": "01jinc" },
    egress: { allowHosts: ["registry.npmjs.org", "*.pypi.org:8443"] },
    idleTimeoutSeconds: 1800,
    ...overrides,
  };
}

describe("DaytonaSandboxProvider", () => {
  it("creates from the snapshot with the bootstrap env, labels, idle timers and network allow-list, then starts the runtime", async () => {
    const { api, provider } = setup({}, { target: "eu", deployment: "prod" });
    const handle = await provider.create(input());
    expect(handle.isolation).toBe(DAYTONA_ISOLATION);
    expect(handle.warnings).toEqual([expect.stringContaining("*.pypi.org:8443")]);
    const create = api.requests.find((r) => r.method === "POST" && r.path === "/api/sandbox");
    expect(create?.body).toEqual({
      snapshot: "ns-snap",
      target: "eu",
      env: input().bootstrap,
      labels: { ...input().labels, "nightshift.deployment": "prod" },
      public: false,
      autoStopInterval: 30 + 35,
      autoDeleteInterval: 0,
      domainAllowList: "nightshift.example.com,registry.npmjs.org,*.pypi.org",
    });
    const toolbox = api.requests.filter((r) => r.path.startsWith(`/toolbox/${handle.providerId}/`));
    expect(toolbox.map((r) => `${r.method} ${r.path.replace(/[0-9a-f-]{36}/, "<cmd>")}`).slice(0, 3)).toEqual(
      [
        `POST /toolbox/${handle.providerId}/process/session`,
        `POST /toolbox/${handle.providerId}/process/session/${DAYTONA_RUNTIME_SESSION}/exec`,
        `GET /toolbox/${handle.providerId}/process/session/${DAYTONA_RUNTIME_SESSION}/command/<cmd>`,
      ],
    );
    expect(toolbox[1]?.body).toEqual({ command: DAYTONA_RUNTIME_COMMAND, runAsync: true });
    expect(toolbox.every((r) => r.authorized)).toBe(true);
  });

  it("puts an IP control plane in the network allow-list, and labels only what the launcher gave without a deployment", async () => {
    const { api, provider } = setup();
    await provider.create(
      input({
        bootstrap: { ...input().bootstrap, NIGHTSHIFT_CONTROL_PLANE_URL: "http://10.0.0.5:8787" },
        egress: { allowHosts: [] },
      }),
    );
    const body = api.requests.find((r) => r.path === "/api/sandbox")?.body as Record<string, unknown>;
    expect(body.networkAllowList).toBe("10.0.0.5/32");
    expect(body.domainAllowList).toBeUndefined();
    expect(body.labels).toEqual(input().labels);
  });

  it("waits while the sandbox is still creating", async () => {
    const { api, provider } = setup({ delays: { startMs: 150 } });
    const handle = await provider.create(input());
    expect(api.store.find(handle.providerId)?.state).toBe("started");
    expect(
      api.requests.filter((r) => r.method === "GET" && r.path === `/api/sandbox/${handle.providerId}`).length,
    ).toBeGreaterThan(0);
  });

  it("polls a starting sandbox every 50 ms in its first second instead of waiting for the 250 ms tick", async () => {
    const { api, provider } = setup({ delays: { startMs: 200 } }, { pollIntervalMs: 250 });
    const handle = await provider.create(input());
    const create = api.requests.find((r) => r.method === "POST" && r.path === "/api/sandbox")!;
    const polls = api.requests.filter(
      (r) => r.method === "GET" && r.path === `/api/sandbox/${handle.providerId}`,
    );
    // The old fixed 250 ms pause could never look before 250 ms; now the first look is at ~50 ms.
    expect(polls[0]!.at - create.at).toBeLessThan(240);
    expect(polls.length).toBeGreaterThan(1);
  });

  it("a runtime that exits at once fails the start with its logs (secrets cut out), and the sandbox is deleted", async () => {
    const { api, provider, live } = setup();
    api.failRuntime({ exitCode: 1, output: `runtime: bootstrap refused (token ${TOKEN})\nnode exited\n` });
    const error = await failure(provider.create(input()));
    expect(error.kind).toBe("permanent");
    expect(error.message).toContain("exited at once in the Daytona sandbox (exit code 1)");
    expect(error.message).toContain("bootstrap refused");
    expect(error.message).not.toContain(TOKEN);
    expect(live()).toEqual([]);
  });

  it("a sandbox Daytona puts in its error state fails as permanent, naming the reason, and is deleted", async () => {
    const { api, provider, live } = setup({ delays: { startMs: 60_000 } });
    const pending = provider.create(input());
    await new Promise((resolve) => setTimeout(resolve, 30));
    Object.assign(api.store.all()[0]!, { state: "error", errorReason: "image pull failed" });
    const error = await failure(pending);
    expect(error.kind).toBe("permanent");
    expect(error.message).toContain("image pull failed");
    expect(live()).toEqual([]);
    api.store.clearTimers();
  });

  it("a sandbox that does not start in time is a transient failure, and is deleted", async () => {
    const { api, provider, live } = setup({ delays: { startMs: 60_000 } }, { startTimeoutMs: 100 });
    const error = await failure(provider.create(input()));
    expect(error.kind).toBe("transient");
    expect(error.message).toMatch(/did not start the sandbox within 0\.1 s/);
    expect(live()).toEqual([]);
    api.store.clearTimers();
  });

  it("an outage after the sandbox was created is transient, and the sandbox is deleted once Daytona answers", async () => {
    const { api, provider, live } = setup({ delays: { startMs: 100 } });
    const pending = provider.create(input());
    await new Promise((resolve) => setTimeout(resolve, 20));
    api.injectFault({ status: 503, calls: 1 });
    const error = await failure(pending);
    expect(error.kind).toBe("transient");
    expect(error.message).toContain("HTTP 503");
    expect(live()).toEqual([]);
  });
});

describe("daytonaConfigFrom", () => {
  it("names the missing settings", () => {
    expect(() => daytonaConfigFrom({})).toThrow(/needs DAYTONA_API_KEY and DAYTONA_SNAPSHOT/);
  });

  it("defaults the API URL to Daytona's and refuses plain http beyond this machine", () => {
    expect(daytonaConfigFrom({ DAYTONA_API_KEY: "k", DAYTONA_SNAPSHOT: "s" }).apiUrl).toBe(
      "https://app.daytona.io/api",
    );
    expect(() =>
      daytonaConfigFrom({
        DAYTONA_API_KEY: "k",
        DAYTONA_SNAPSHOT: "s",
        DAYTONA_API_URL: "http://daytona.example.com/api",
      }),
    ).toThrow(/must be an https:\/\/ URL/);
    expect(
      daytonaConfigFrom({
        DAYTONA_API_KEY: "k",
        DAYTONA_SNAPSHOT: "s",
        DAYTONA_API_URL: "http://127.0.0.1:4000/api/",
      }).apiUrl,
    ).toBe("http://127.0.0.1:4000/api");
  });
});
