/**
 * Runs a real sandbox host in-process for tests, with the stand-in runtime from
 * test/fixtures/record-env.mjs, a temporary data dir and a repositories root with two repos.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SANDBOX_STATE_DIR, SANDBOX_WORKDIR, SandboxInfo } from "@nightshift/protocol";
import { waitFor } from "@nightshift/testkit/wait-for";
import {
  type RunningSandboxHost,
  type StartSandboxHostOptions,
  silentHostLogger,
  startSandboxHost,
} from "../src/index";
import { descendantsOf } from "../src/sandbox/process-tree";
import { signedFetch } from "./signed-fetch";

export const SECRET = "test-host-secret-0123456789";
export const FAKE_RUNTIME = new URL("./fixtures/record-env.mjs", import.meta.url).pathname;

export interface Harness {
  host: RunningSandboxHost;
  base: string;
  reposRoot: string;
  dataDir: string;
  call(method: string, path: string, body?: unknown): Promise<Response>;
  create(env?: Record<string, string>, sessionId?: string): Promise<SandboxInfo>;
  /** Waits for the stand-in runtime to record what it saw. */
  recorded<T>(
    id: string,
    file: "env.json" | "identity.json" | "probe.json" | "own-environ.json" | "planted.json",
  ): Promise<T>;
  stop(): Promise<void>;
}

export const BASE_ENV = {
  NIGHTSHIFT_SESSION_ID: "ses_test",
  NIGHTSHIFT_CONTROL_PLANE_URL: "http://127.0.0.1:1",
  NIGHTSHIFT_SANDBOX_TOKEN: "sandbox-token-abcdefghijklmnop",
  NIGHTSHIFT_BRANCH: "nightshift/test",
  NIGHTSHIFT_AGENT: "claude-code",
  // What the control plane's launcher sends (its sandbox-launcher-env.ts); the repository URL
  // follows the control-plane URL a test gives (see create()).
  NIGHTSHIFT_WORKDIR: SANDBOX_WORKDIR,
  NIGHTSHIFT_STATE_DIR: SANDBOX_STATE_DIR,
};

/** The git proxy URL of the harness's "demo" repository on the control plane at `controlPlaneUrl`. */
export const demoRepoUrl = (controlPlaneUrl: string) => `${controlPlaneUrl}/sandbox/git/local/demo.git`;

export async function startHarness(
  options: Partial<StartSandboxHostOptions> = {},
  hostEnv: NodeJS.ProcessEnv = {},
): Promise<Harness> {
  const base = realpathSync(mkdtempSync(join(tmpdir(), "ns-host-")));
  const reposRoot = join(base, "repos");
  const dataDir = options.dataDir ?? join(base, "data");
  mkdirSync(reposRoot);
  for (const name of ["demo", "other"]) execFileSync("git", ["init", "-q", join(reposRoot, name)]);
  const host = await startSandboxHost({
    // A developer's machine: local repositories, and the process isolation some tests ask for.
    mode: "local",
    secret: SECRET,
    port: 0,
    reposRoot,
    runtimePath: FAKE_RUNTIME,
    killGraceMs: 1000,
    log: silentHostLogger,
    hostEnv: { PATH: process.env.PATH, ...hostEnv },
    ...options,
    dataDir,
  });
  const call = (method: string, path: string, body?: unknown) =>
    signedFetch(host.url, SECRET, {
      method,
      path,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const harness: Harness = {
    host,
    base,
    reposRoot,
    dataDir,
    call,
    async create(env = {}, sessionId = "ses_test") {
      const res = await call("POST", "/v1/sandboxes", {
        sessionId,
        incarnation: `inc-${Math.random().toString(36).slice(2)}`,
        repo: { kind: "local", path: "demo" },
        env: {
          ...BASE_ENV,
          NIGHTSHIFT_REPO_URL: demoRepoUrl(
            env.NIGHTSHIFT_CONTROL_PLANE_URL ?? BASE_ENV.NIGHTSHIFT_CONTROL_PLANE_URL,
          ),
          ...env,
        },
      });
      const body = await res.json();
      if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(body)}`);
      return SandboxInfo.parse(body);
    },
    async recorded<T>(id: string, file: string) {
      const path = join(dataDir, id, "state", file);
      await waitFor(() => existsSync(path) && readFileSync(path, "utf8").length > 0, `${file} of ${id}`);
      return JSON.parse(readFileSync(path, "utf8")) as T;
    },
    async stop() {
      await host.close();
      rmSync(base, { recursive: true, force: true });
    },
  };
  return harness;
}

/** Host pids of everything a sandbox runs (its process and all descendants). */
export function sandboxPids(pid: number): number[] {
  return [pid, ...descendantsOf(pid).map((d) => d.pid)];
}
