/**
 * Attacks on the network from inside a real bubblewrap sandbox running the real runtime (with a
 * stand-in agent): the repository's setup hook runs fixtures/egress-probe.mjs, which tries the
 * host's loopback directly, the control plane's non-sandbox routes, and hosts that are not on the
 * allowlist or resolve to loopback, link-local or private addresses. Names resolve through an
 * injected resolver; every connection stays on 127.0.0.1.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SandboxInfo } from "@nightshift/protocol";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { SandboxView } from "../src/index";
import { selfTestBubblewrap } from "../src/sandbox/bubblewrap";
import { EgressControlPlane } from "./egress-control-plane";
import { type GitProxyLog, gitProxyHandler, upstreamOf } from "./git-proxy-stand-in";
import { BASE_ENV, demoRepoUrl, type Harness, startHarness } from "./host-harness";

const selfTest = await selfTestBubblewrap();
if (!selfTest.ok) console.warn(`skipping egress sandbox tests: ${selfTest.reason}`);

const PROBE = new URL("./fixtures/egress-probe.mjs", import.meta.url).pathname;
const RESOLVES: Record<string, string> = {
  "metadata.allowed.test": "169.254.169.254",
  "internal.allowed.test": "10.0.0.5",
  "loopback.allowed.test": "127.0.0.1",
};

interface ProbeResult {
  outcome?: string;
  status?: number;
  denied?: string | null;
  cookie?: string[] | null;
  error?: string;
}

const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8" }).trim();

describe.runIf(selfTest.ok)("a sandbox's network under bubblewrap", () => {
  let h: Harness;
  let plane: EgressControlPlane;
  let info: SandboxInfo;
  const probes: Record<string, ProbeResult> = {};
  const hostLog: Record<string, unknown>[] = [];
  const gitLog: GitProxyLog = { forwarded: [], unauthorized: [] };

  beforeAll(async () => {
    plane = await EgressControlPlane.start(BASE_ENV.NIGHTSHIFT_SANDBOX_TOKEN);
    h = await startHarness({
      runtimePath: inject("runtimeBundle"),
      isolation: "bubblewrap",
      log: {
        info: (event, fields) => hostLog.push({ event, ...fields }),
        warn: () => {},
        error: () => {},
      },
      egressLookup: async (host) => (RESOLVES[host] ? [RESOLVES[host]] : ["203.0.113.10"]),
    });
    plane.handlers.push(gitProxyHandler(upstreamOf(h, "ses_egress"), gitLog));
    const repo = join(h.reposRoot, "demo");
    mkdirSync(join(repo, ".nightshift"));
    copyFileSync(PROBE, join(repo, ".nightshift", "egress-probe.mjs"));
    writeFileSync(join(repo, ".nightshift", "setup.sh"), `node .nightshift/egress-probe.mjs ${plane.port}\n`);
    git(repo, "add", "-A");
    git(repo, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "probe");

    const res = await h.call("POST", "/v1/sandboxes", {
      sessionId: "ses_egress",
      incarnation: "inc-egress",
      repo: { kind: "local", path: "demo" },
      env: {
        ...BASE_ENV,
        NIGHTSHIFT_CONTROL_PLANE_URL: plane.url,
        NIGHTSHIFT_REPO_URL: demoRepoUrl(plane.url),
      },
      egress: { allowHosts: Object.keys(RESOLVES) },
    });
    expect(res.status).toBe(201);
    info = SandboxInfo.parse(await res.json());
    await waitFor(
      () => plane.logText().includes("PROBE done"),
      "the probe to finish inside the sandbox",
      25_000,
    );
    for (const line of plane.logText().split("\n")) {
      const match = /^PROBE (\S+) (.*)$/.exec(line);
      if (match?.[1]) probes[match[1]] = JSON.parse(match[2] ?? "{}") as ProbeResult;
    }
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
    await plane?.stop();
  });

  it("says the network is isolated, without the shared-network warning", async () => {
    const view = (await (await h.call("GET", `/v1/sandboxes/${info.id}`)).json()) as SandboxView;
    expect(view.network).toBe("isolated");
    expect(view.warnings.join(" ")).not.toMatch(/network is not isolated/);
  });

  it("from inside a sandbox the dev login is unreachable", () => {
    // Straight to the host's loopback: the sandbox's own network namespace has nothing there.
    expect(probes["direct-control-plane"]).toEqual({ outcome: "ECONNREFUSED" });
    expect(probes["dev-login-direct"]).toMatchObject({ status: 0, error: "ECONNREFUSED" });
    for (const name of ["dev-login-absolute", "dev-login-origin", "dev-login-dot-segments"]) {
      expect(probes[name], name).toMatchObject({ status: 403, cookie: null });
      expect(probes[name]?.denied, name).toMatch(/\/sandbox\//);
    }
    expect(probes["connect-control-plane"]).toMatchObject({ status: 403 });
    expect(probes["connect-localhost"]).toMatchObject({ status: 403 });
    expect(plane.hits.filter((hit) => hit.includes("/auth/"))).toEqual([]);
  });

  it("from inside a sandbox /api/* is unreachable", () => {
    expect(probes["api-origin"]).toMatchObject({ status: 403 });
    expect(probes["api-absolute"]).toMatchObject({ status: 403 });
    expect(plane.hits.filter((hit) => hit.includes("/api/"))).toEqual([]);
  });

  it("the sandbox reaches only allow-listed hosts", async () => {
    expect(probes["connect-unlisted"]).toMatchObject({
      status: 403,
      denied: "not on this sandbox's egress allowlist",
    });
    expect(probes["connect-metadata-ip"]).toMatchObject({ status: 403 });
    expect(probes["http-metadata-ip"]).toMatchObject({ status: 403 });
    // Allow-listed by the tenant, but resolving where a sandbox must never go.
    expect(probes["connect-metadata-name"]?.denied).toMatch(/resolves to 169\.254\.169\.254, a link-local/);
    expect(probes["connect-private-name"]?.denied).toMatch(/resolves to 10\.0\.0\.5, a private/);
    expect(probes["connect-loopback-name"]?.denied).toMatch(/resolves to 127\.0\.0\.1, a loopback/);
    // Each denial is in the session log, naming the target and the reason, never a query string.
    await waitFor(() => plane.logText("egress").includes("169.254.169.254"), "denials in the session log");
    const denials = plane.logText("egress");
    expect(denials).toContain(
      "egress denied: CONNECT evil.example.com:443: not on this sandbox's egress allowlist",
    );
    expect(denials).toContain(`POST 127.0.0.1:${plane.port}/auth/dev-login`);
    expect(denials).toContain("CONNECT metadata.allowed.test:443");
    expect(denials).not.toContain("secret-query-value");
    // The host's own log says it too, for the operator.
    expect(hostLog).toContainEqual(
      expect.objectContaining({
        event: "egress.denied",
        id: info.id,
        target: "CONNECT evil.example.com:443",
      }),
    );
  });

  it("the bridge and the control plane's git proxy still work through the egress proxy", async () => {
    // The probe runs in the setup hook, before the runtime says it is ready: wait for that frame.
    await waitFor(() => plane.readyFrames > 0, "the runtime's ready frame through the proxy");
    expect(plane.hits).toContain("UPGRADE /sandbox/connect");
    // The runtime cloned through the git proxy; the hook has no sandbox token (the runtime keeps
    // it), so the git proxy itself answers it 401.
    expect(gitLog.forwarded).toContain("GET /sandbox/git/local/demo.git/info/refs");
    expect(probes["git-proxy"]).toMatchObject({ status: 401, denied: null });
    expect(gitLog.unauthorized).toContain("GET /sandbox/git/local/demo.git/info/refs");
  });

  it("closes the proxy and removes its socket with the sandbox", async () => {
    const socket = join(h.dataDir, info.id, "egress.sock");
    const res = await h.call("DELETE", `/v1/sandboxes/${info.id}`);
    expect(await res.json()).toMatchObject({ state: "terminated" });
    const { existsSync } = await import("node:fs");
    await waitFor(() => !existsSync(socket), "the egress socket to be gone");
  });
});

const asRoot = process.getuid?.() === 0;
describe.runIf(selfTest.ok && asRoot)("a sandbox's network with --sandbox-uid", () => {
  it("the bridge still works through the proxy when the sandbox runs as another uid", async () => {
    // Node and the runtime bundle where the unprivileged uid can read them (the checkout may not be).
    const tools = mkdtempSync(join(tmpdir(), "ns-egress-tools-"));
    chmodSync(tools, 0o755);
    const node = join(tools, "node");
    copyFileSync(process.execPath, node);
    chmodSync(node, 0o755);
    const runtime = join(tools, "runtime.mjs");
    copyFileSync(inject("runtimeBundle"), runtime);
    chmodSync(runtime, 0o644);
    const plane = await EgressControlPlane.start(BASE_ENV.NIGHTSHIFT_SANDBOX_TOKEN);
    const h = await startHarness({
      isolation: "bubblewrap",
      sandboxUid: 65534,
      nodePath: node,
      runtimePath: runtime,
    });
    try {
      chmodSync(h.base, 0o755);
      const repo = join(h.reposRoot, "demo");
      writeFileSync(join(repo, "README.md"), "demo\n");
      git(repo, "add", "-A");
      git(repo, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "init");
      plane.handlers.push(
        gitProxyHandler(upstreamOf(h, BASE_ENV.NIGHTSHIFT_SESSION_ID), { forwarded: [], unauthorized: [] }),
      );
      await h.create({ NIGHTSHIFT_CONTROL_PLANE_URL: plane.url, NIGHTSHIFT_BRANCH: "nightshift/uid" });
      await waitFor(() => plane.readyFrames > 0, "ready from the sandbox running as uid 65534", 25_000);
      expect(plane.hits).toContain("UPGRADE /sandbox/connect");
    } finally {
      await h.stop();
      await plane.stop();
      rmSync(tools, { recursive: true, force: true });
    }
  }, 60_000);
});
