/**
 * What the control plane accepts from and sends to a sandbox provider at launch: a sandbox the
 * host ran without isolation is refused outside local mode (terminated, session failed with what
 * to do), the sandbox gets only a 15-minute bootstrap token (no sandbox token, no secret), and the
 * tenant's egress allow-list goes with every create. The real launcher and local provider against
 * the recording host double.
 */
import { env } from "cloudflare:workers";
import type { CreateSandboxRequest, EgressPolicy } from "@nightshift/protocol";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../src/env";
import { LocalSandboxProvider } from "../src/providers/local/local-provider";
import { isolationRefusal } from "../src/sandbox-auth/isolation-policy";
import { verifySandboxToken } from "../src/sandbox-auth/token";
import { reportLaunch, SandboxLauncher } from "../src/session/sandbox-launcher";
import type { SessionMeta } from "../src/session/store";
import { TEST_SANDBOX_SECRET } from "./sandbox-client";
import { memoryMeta } from "./support/memory-meta";

const bindings = env as unknown as Bindings;

interface Call {
  method: string;
  path: string;
  body: unknown;
}

/** The local provider against the recording host, with every request it makes written down. */
function recordedProvider(calls: Call[]) {
  return new LocalSandboxProvider({
    hostUrl: bindings.SANDBOX_HOST_URL!,
    secret: bindings.SANDBOX_HOST_SECRET!,
    fetch: async (input, init) => {
      const url = new URL(String(input));
      const body = typeof init?.body === "string" && init.body ? JSON.parse(init.body) : null;
      calls.push({ method: init?.method ?? "GET", path: url.pathname, body });
      return fetch(input, init);
    },
  });
}

function launcherFor(mode: Partial<Bindings>, calls: Call[], egress?: EgressPolicy) {
  const { meta: store, rows: values } = memoryMeta();
  const launcher = new SandboxLauncher(store, {
    controlPlaneUrl: "http://127.0.0.1:8787",
    tokenSecret: TEST_SANDBOX_SECRET,
    provider: () => recordedProvider(calls),
    idleTimeoutSeconds: 1800,
    ...(egress ? { egress: async () => egress } : {}),
    isolationRefusal: (isolation) => isolationRefusal({ NIGHTSHIFT_MODE: "cloud", ...mode }, isolation),
    now: Date.now,
  });
  return { launcher, values };
}

const meta: SessionMeta = {
  sessionId: "s-launch-policy",
  tenantId: "t-launch-policy",
  title: "t",
  repo: { kind: "github", owner: "acme", name: "widgets" },
  agent: "claude-code",
  model: null,
  branch: "nightshift/t",
  createdBy: "u1",
  status: "starting",
};

describe("sandbox launch policy", () => {
  it("a sandbox the host ran without isolation (process) is terminated and fails the session outside local mode", async () => {
    const calls: Call[] = [];
    const { launcher, values } = launcherFor({ NIGHTSHIFT_MODE: "cloud" }, calls);
    const outcome = await launcher.launch(meta, () => {});
    expect(outcome.kind).toBe("failed");
    const message = outcome.kind === "failed" ? outcome.message : "";
    expect(message).toMatch(/without isolation/);
    expect(message).toMatch(/install bubblewrap/);
    expect(message).toMatch(/ALLOW_PROCESS_ISOLATION/);
    const created = calls.find((c) => c.method === "POST" && c.path === "/v1/sandboxes");
    expect(created).toBeDefined();
    expect(calls.filter((c) => c.method === "DELETE").map((c) => c.path)).toEqual([
      expect.stringMatching(/^\/v1\/sandboxes\/sbx-\d+$/),
    ]);
    expect(values.has("sandbox.provider_id")).toBe(false);
    expect(reportLaunch(outcome).input).toEqual({ kind: "sandbox.failed", reason: message });
  });

  it("accepts process isolation in local mode or when the deployment allows it explicitly", async () => {
    for (const mode of [
      { NIGHTSHIFT_MODE: "local" },
      { NIGHTSHIFT_MODE: "cloud", ALLOW_PROCESS_ISOLATION: "1" },
    ]) {
      const calls: Call[] = [];
      const outcome = await launcherFor(mode, calls).launcher.launch(meta, () => {});
      expect(outcome).toMatchObject({ kind: "started", isolation: "process" });
      expect(calls.some((c) => c.method === "DELETE")).toBe(false);
    }
    expect(isolationRefusal({ NIGHTSHIFT_MODE: "cloud" }, "bubblewrap")).toBeNull();
  });

  it("hands the sandbox only a bootstrap token that lives 15 minutes and works nowhere else, and the tenant's egress allow-list", async () => {
    const calls: Call[] = [];
    const egress = { allowHosts: ["registry.npmjs.org", "*.example.com"] };
    const outcome = await launcherFor({ NIGHTSHIFT_MODE: "local" }, calls, egress).launcher.launch(
      meta,
      () => {},
    );
    expect(outcome.kind).toBe("started");
    const body = calls.find((c) => c.method === "POST")?.body as CreateSandboxRequest;
    expect(body.egress).toEqual(egress);
    expect(Object.keys(body.env).sort()).toEqual([
      "NIGHTSHIFT_BOOTSTRAP_TOKEN",
      "NIGHTSHIFT_CONTROL_PLANE_URL",
      "NIGHTSHIFT_SESSION_ID",
    ]);
    const token = body.env.NIGHTSHIFT_BOOTSTRAP_TOKEN!;
    const claims = decodeJwt(token);
    expect(claims.exp! - claims.iat!).toBe(15 * 60);
    expect(claims.aud).toBe("sandbox-bootstrap");
    // Presented as a sandbox token (the bridge, the gateway, the git proxy), it is refused.
    expect((await verifySandboxToken(TEST_SANDBOX_SECRET, token)).ok).toBe(false);
  });
});
