/**
 * The create request the control plane sends now (issue 13): only the bootstrap variables, and
 * the session branch beside them. The host hands the runtime exactly those (plus its own: HOME,
 * the paths where it placed them), still refuses a local repository without a session branch,
 * and still takes a whole environment from its own tools.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ErrorBody, SANDBOX_STATE_DIR, SANDBOX_WORKDIR, SandboxInfo } from "@nightshift/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./host-harness";

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.stop();
  harness = null;
});

const BOOTSTRAP = {
  NIGHTSHIFT_CONTROL_PLANE_URL: "http://127.0.0.1:1",
  NIGHTSHIFT_SESSION_ID: "ses_boot",
  NIGHTSHIFT_BOOTSTRAP_TOKEN: "bootstrap-token-0123456789abcdef",
};

function createBody(extra: Record<string, unknown> = {}) {
  return {
    sessionId: "ses_boot",
    incarnation: `inc-${crypto.randomUUID()}`,
    repo: { kind: "local", path: "demo" },
    env: BOOTSTRAP,
    ...extra,
  };
}

describe("a bootstrap create request", () => {
  it("is accepted with the branch beside the environment: the runtime gets the bootstrap variables and the host's paths, nothing from a repository URL", async () => {
    harness = await startHarness({ isolation: "process", keep: true });
    const res = await harness.call("POST", "/v1/sandboxes", createBody({ branch: "nightshift/boot" }));
    expect(res.status).toBe(201);
    const info = SandboxInfo.parse(await res.json());
    const env = await harness.recorded<Record<string, string>>(info.id, "env.json");
    expect(env).toMatchObject(BOOTSTRAP);
    expect(env.NIGHTSHIFT_REPO_URL).toBeUndefined();
    expect(env.NIGHTSHIFT_SANDBOX_TOKEN).toBeUndefined();
    // A plain process works in the host's own directories for the sandbox.
    expect(env.NIGHTSHIFT_WORKDIR).toBe(join(harness.dataDir, info.id, "work"));
    expect(env.NIGHTSHIFT_STATE_DIR).toBe(join(harness.dataDir, info.id, "state"));
    // The local repository's mirror was made for the named branch.
    expect(existsSync(join(harness.dataDir, info.id, "repo.git", "refs", "heads", "nightshift"))).toBe(true);
  });

  it("for a local repository without a session branch is refused with 400", async () => {
    harness = await startHarness({ isolation: "process" });
    for (const extra of [{}, { branch: "main" }]) {
      const res = await harness.call("POST", "/v1/sandboxes", createBody(extra));
      expect(res.status).toBe(400);
      expect(ErrorBody.parse(await res.json()).error.message).toBe(
        "branch must be a nightshift/* branch: a local repository receives only session branches",
      );
    }
  });

  it("a request that names no paths gets the fixed sandbox paths (where bubblewrap binds them) and no repository URL", async () => {
    const { sandboxPathsOf } = await import("../src/sandbox/sandbox-paths");
    expect(sandboxPathsOf(BOOTSTRAP)).toEqual({
      repoUrl: null,
      workdir: SANDBOX_WORKDIR,
      stateDir: SANDBOX_STATE_DIR,
    });
  });
});
