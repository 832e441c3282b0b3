import { type RepoRef, RuntimeEnv, SANDBOX_STATE_DIR, SANDBOX_WORKDIR } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import type { CreateSandboxInput } from "../providers/provider";
import { buildRuntimeEnv } from "./bootstrap-env";
import { MetaStore } from "./meta-store";
import { SandboxLauncher } from "./sandbox-launcher";
import { gitProxyUrl, sandboxRepoEnv } from "./sandbox-launcher-env";
import type { SessionMeta } from "./store";

const PLANE = "https://nightshift.example.com";

describe("the git proxy URL of a session's repository", () => {
  it("points GitHub repositories at the control plane's proxy, never at the forge", () => {
    const repo: RepoRef = { kind: "github", owner: "acme", name: "api" };
    expect(gitProxyUrl(PLANE, repo)).toBe(`${PLANE}/sandbox/git/github/acme/api.git`);
    expect(gitProxyUrl(`${PLANE}/`, repo)).toBe(`${PLANE}/sandbox/git/github/acme/api.git`);
    expect(gitProxyUrl(`${PLANE}/base/`, repo)).toBe(`${PLANE}/base/sandbox/git/github/acme/api.git`);
  });

  it("keeps a local repository's nested path and encodes what a URL cannot hold", () => {
    expect(gitProxyUrl(PLANE, { kind: "local", path: "demo" })).toBe(`${PLANE}/sandbox/git/local/demo.git`);
    expect(gitProxyUrl(PLANE, { kind: "local", path: "team/my repo#1" })).toBe(
      `${PLANE}/sandbox/git/local/team/my%20repo%231.git`,
    );
  });

  it("gives the runtime the fixed sandbox paths", () => {
    expect(sandboxRepoEnv(PLANE, { kind: "local", path: "demo" })).toEqual({
      NIGHTSHIFT_REPO_URL: `${PLANE}/sandbox/git/local/demo.git`,
      NIGHTSHIFT_WORKDIR: SANDBOX_WORKDIR,
      NIGHTSHIFT_STATE_DIR: SANDBOX_STATE_DIR,
    });
  });
});

const meta: SessionMeta = {
  sessionId: "s1",
  tenantId: "t1",
  title: "t",
  repo: { kind: "github", owner: "acme", name: "api" },
  agent: "claude-code",
  model: null,
  branch: "nightshift/t",
  createdBy: "u1",
  status: "starting",
};

function memoryMeta(): MetaStore {
  const rows = new Map<string, string>();
  return new MetaStore({
    read: (key) => rows.get(key) ?? null,
    write: (key, text) => void rows.set(key, text),
    remove: (key) => void rows.delete(key),
  });
}

describe("the launcher hands a provider only the bootstrap variables", () => {
  it("the create request holds the control-plane URL, the session id and a bootstrap token, nothing else: no secret, no sandbox token, no repository", async () => {
    const created: CreateSandboxInput[] = [];
    const launcher = new SandboxLauncher(memoryMeta(), {
      controlPlaneUrl: PLANE,
      tokenSecret: "test-sandbox-token-secret-0123456789abcdef",
      provider: () => ({
        name: "recording",
        create: (input) => {
          created.push(input);
          return Promise.resolve({ providerId: "sbx-1", isolation: "bubblewrap", warnings: [] });
        },
        terminate: () => Promise.resolve(),
      }),
      idleTimeoutSeconds: 1800,
      deployment: "staging",
      now: () => Date.now(),
    });
    const outcome = await launcher.launch(meta, () => {});
    expect(outcome.kind).toBe("started");
    const input = created[0]!;
    expect(Object.keys(input.bootstrap).sort()).toEqual([
      "NIGHTSHIFT_BOOTSTRAP_TOKEN",
      "NIGHTSHIFT_CONTROL_PLANE_URL",
      "NIGHTSHIFT_SESSION_ID",
    ]);
    expect(input.bootstrap).toMatchObject({
      NIGHTSHIFT_CONTROL_PLANE_URL: PLANE,
      NIGHTSHIFT_SESSION_ID: "s1",
    });
    expect(input.labels).toEqual({
      "nightshift.tenant": "t1",
      "nightshift.session": "s1",
      "nightshift.incarnation": input.incarnation,
      "nightshift.deployment": "staging",
    });
    expect(input).toMatchObject({ tenantId: "t1", branch: "nightshift/t", idleTimeoutSeconds: 1800 });
    // The runtime cannot start on this alone: everything else comes from the exchange.
    expect(RuntimeEnv.safeParse(input.bootstrap).success).toBe(false);
    expect(JSON.stringify(input)).not.toContain("github.com");
  });
});

describe("the exchange builds the runtime's whole environment", () => {
  it("a provider adapter only creates: the exchange answer is a complete runtime environment with the proxy URL, the sandbox paths and the secrets", () => {
    const env = buildRuntimeEnv(meta, {
      controlPlaneUrl: PLANE,
      sandboxToken: "sandbox-token-0123456789abcdef",
      secrets: { NPM_TOKEN: "npm_secret_value" },
    });
    expect(env).toMatchObject({
      NIGHTSHIFT_REPO_URL: `${PLANE}/sandbox/git/github/acme/api.git`,
      NIGHTSHIFT_WORKDIR: SANDBOX_WORKDIR,
      NIGHTSHIFT_STATE_DIR: SANDBOX_STATE_DIR,
      NIGHTSHIFT_SANDBOX_TOKEN: "sandbox-token-0123456789abcdef",
      NPM_TOKEN: "npm_secret_value",
      NIGHTSHIFT_SECRET_NAMES: "NPM_TOKEN",
    });
    // Nothing left for the provider to fill in: the runtime's own schema accepts it as it is.
    expect(RuntimeEnv.safeParse(env).success).toBe(true);
    expect(Object.values(env).some((value) => value.includes("github.com"))).toBe(false);
  });
});
