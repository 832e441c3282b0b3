import { type RepoRef, RuntimeEnv, SANDBOX_STATE_DIR, SANDBOX_WORKDIR } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import type { CreateSandboxInput } from "../providers/provider";
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

describe("the launcher resolves the runtime's repository environment", () => {
  it("a provider adapter only creates: the create request already holds a complete runtime environment with the proxy URL and the sandbox paths", async () => {
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
      secrets: () => Promise.resolve({ NPM_TOKEN: "npm_secret_value" }),
      now: () => 0,
    });
    const outcome = await launcher.launch(meta, () => {});
    expect(outcome.kind).toBe("started");
    const env = created[0]!.env;
    expect(env).toMatchObject({
      NIGHTSHIFT_REPO_URL: `${PLANE}/sandbox/git/github/acme/api.git`,
      NIGHTSHIFT_WORKDIR: SANDBOX_WORKDIR,
      NIGHTSHIFT_STATE_DIR: SANDBOX_STATE_DIR,
    });
    // Nothing left for the provider to fill in: the runtime's own schema accepts it as it is.
    expect(RuntimeEnv.safeParse(env).success).toBe(true);
    expect(Object.values(env).some((value) => value.includes("github.com"))).toBe(false);
  });
});
