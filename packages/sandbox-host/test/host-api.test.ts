/**
 * The host's HTTP API end to end, with "process" isolation (the bubblewrap variant is in
 * host-bubblewrap.test.ts): signatures, body limits, create with an allowlisted environment,
 * terminate killing every process, natural exits, path traversal, supersede and shutdown.
 */
import { existsSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { ErrorBody, ListSandboxesResponse, SandboxInfo } from "@nightshift/protocol";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterEach, describe, expect, it } from "vitest";
import { createHostLogger } from "../src/index";
import { isAlive } from "../src/sandbox/process-tree";
import { BASE_ENV, demoRepoUrl, type Harness, SECRET, sandboxPids, startHarness } from "./host-harness";
import { signedFetch, signedHeaders } from "./signed-fetch";

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.stop();
  harness = null;
});

async function start(hostEnv: NodeJS.ProcessEnv = {}, keep = false, maxBodyBytes = 1024 * 1024) {
  harness = await startHarness(
    { isolation: "process", keep, passEnv: ["EXTRA_PASS"], maxBodyBytes },
    hostEnv,
  );
  return harness;
}

async function stateOf(h: Harness, id: string): Promise<string> {
  return SandboxInfo.parse(await (await h.call("GET", `/v1/sandboxes/${id}`)).json()).state;
}

async function errorOf(res: Response) {
  return ErrorBody.parse(await res.json()).error;
}

describe("sandbox host API: authentication", () => {
  it("answers health unsigned and says what is not isolated", async () => {
    const h = await start();
    const res = await fetch(new URL("/v1/health", h.host.url));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      ok: true,
      isolation: "process",
      network: "shared",
      sandboxes: 0,
    });
  });

  it("refuses unsigned, badly signed, stale and replayed requests with 401", async () => {
    const h = await start();
    const unsigned = await fetch(new URL("/v1/sandboxes", h.host.url));
    expect(unsigned.status).toBe(401);
    expect(await errorOf(unsigned)).toMatchObject({ code: "unauthorized" });

    const wrong = await signedFetch(h.host.url, "a-different-secret-123", {
      method: "GET",
      path: "/v1/sandboxes",
    });
    expect(wrong.status).toBe(401);

    const stale = await signedFetch(h.host.url, SECRET, {
      method: "GET",
      path: "/v1/sandboxes",
      timestamp: Math.floor(Date.now() / 1000) - 3600,
    });
    expect(stale.status).toBe(401);
    expect((await errorOf(stale)).message).toMatch(/clock/);

    // A replayed POST would start a sandbox twice: refused. (Reads may repeat; see verify-signature.ts.)
    const body = JSON.stringify({
      sessionId: "s",
      incarnation: "i",
      repo: { kind: "local", path: "missing" },
      env: {},
    });
    const headers = await signedHeaders(SECRET, { method: "POST", path: "/v1/sandboxes", body });
    const first = await signedFetch(h.host.url, SECRET, {
      method: "POST",
      path: "/v1/sandboxes",
      body,
      headers,
    });
    expect(first.status).toBe(400);
    const replay = await signedFetch(h.host.url, SECRET, {
      method: "POST",
      path: "/v1/sandboxes",
      body,
      headers,
    });
    expect(replay.status).toBe(401);
    expect((await errorOf(replay)).message).toMatch(/replayed/);
  });

  it("answers 413 to big bodies, 400 to bad JSON and to invalid requests, 404 to unknown ids", async () => {
    const h = await start({}, false, 4096);
    const big = await signedFetch(h.host.url, SECRET, {
      method: "POST",
      path: "/v1/sandboxes",
      body: "x".repeat(8192),
    });
    expect(big.status).toBe(413);
    expect(await errorOf(big)).toMatchObject({ code: "payload_too_large" });

    const notJson = await signedFetch(h.host.url, SECRET, {
      method: "POST",
      path: "/v1/sandboxes",
      body: "{nope",
    });
    expect(notJson.status).toBe(400);
    expect(await errorOf(notJson)).toMatchObject({ code: "invalid_json" });

    const invalid = await h.call("POST", "/v1/sandboxes", {
      sessionId: "s",
      incarnation: "i",
      repo: { kind: "svn" },
      env: {},
    });
    expect(invalid.status).toBe(400);
    const error = await errorOf(invalid);
    expect(error.code).toBe("invalid_request");
    expect(error.issues?.[0]?.path).toBe("repo.kind");

    expect((await h.call("GET", "/v1/sandboxes/sbx_missing")).status).toBe(404);
    expect((await h.call("DELETE", "/v1/sandboxes/sbx_missing")).status).toBe(404);
  });
});

describe("sandbox host API: the host never runs with tenant-controlled environment", () => {
  it("a tenant variable named LD_PRELOAD never reaches setpriv/bwrap: the create request is refused with 400", async () => {
    const h = await start();
    for (const name of [
      "LD_PRELOAD",
      "LD_LIBRARY_PATH",
      "NODE_OPTIONS",
      "BASH_ENV",
      "GIT_CONFIG_GLOBAL",
      "PYTHONSTARTUP",
      "GCONV_PATH",
    ]) {
      const res = await h.call("POST", "/v1/sandboxes", {
        sessionId: "s",
        incarnation: `i-${name}`,
        repo: { kind: "local", path: "demo" },
        env: {
          ...BASE_ENV,
          NIGHTSHIFT_REPO_URL: demoRepoUrl(BASE_ENV.NIGHTSHIFT_CONTROL_PLANE_URL),
          [name]: "/tmp/evil.so",
        },
      });
      expect(res.status, name).toBe(400);
      const error = await errorOf(res);
      expect(error.code).toBe("invalid_request");
      expect(error.message).toContain(`env.${name}`);
      expect(error.message).toMatch(/changes how .* behaves/);
    }
    expect(h.host.manager.list()).toEqual([]);
  });

  it("the launched process's environment holds only the host's fixed names and no token or secret", async () => {
    const h = await start({ EXTRA_PASS: "sk-pass-through-key" });
    const info = await h.create({
      SOME_SECRET: "tenant-secret-value",
      NIGHTSHIFT_SECRET_NAMES: "SOME_SECRET",
    });
    await h.recorded(info.id, "identity.json");
    // Without bubblewrap the launched process is the runtime itself: what the kernel shows of it.
    const environ = readFileSync(`/proc/${info.pid}/environ`, "utf8");
    const names = environ
      .split("\0")
      .filter(Boolean)
      .map((entry) => entry.split("=")[0]);
    expect(names.sort()).toEqual(["LANG", "NIGHTSHIFT_ENV_FD", "PATH"]);
    for (const value of [BASE_ENV.NIGHTSHIFT_SANDBOX_TOKEN, "tenant-secret-value", "sk-pass-through-key"])
      expect(environ).not.toContain(value);
    // ...while the runtime still receives every variable, through the hand-off pipe.
    const env = await h.recorded<Record<string, string>>(info.id, "env.json");
    expect(env).toMatchObject({
      NIGHTSHIFT_SANDBOX_TOKEN: BASE_ENV.NIGHTSHIFT_SANDBOX_TOKEN,
      SOME_SECRET: "tenant-secret-value",
      EXTRA_PASS: "sk-pass-through-key",
    });
    expect(env).not.toHaveProperty("NIGHTSHIFT_ENV_FD");
  });

  it("refuses to start with a --pass-env name that changes how a loader or interpreter behaves", async () => {
    await expect(startHarness({ isolation: "process", passEnv: ["LD_PRELOAD"] })).rejects.toThrow(
      /passEnv\.0: LD_PRELOAD changes how the dynamic loader behaves/,
    );
  });
});

describe("sandbox host API: sandboxes", () => {
  it("runs the runtime with only the allowlisted environment, in its own directories; the host's model key stays out", async () => {
    const h = await start({
      // Model keys live in the control plane's gateway now: not forwarded unless named in passEnv.
      ANTHROPIC_API_KEY: "sk-host-model-key",
      EXTRA_PASS: "extra",
      HOST_ONLY_VARIABLE: "must not leak",
    });
    const info = await h.create({
      SOME_SECRET: "tenant-secret-value",
      NIGHTSHIFT_SECRET_NAMES: "SOME_SECRET",
    });
    expect(info).toMatchObject({
      state: "running",
      isolation: "process",
      sessionId: "ses_test",
      exitCode: null,
    });
    expect(info.pid).toBeGreaterThan(0);
    const env = await h.recorded<Record<string, string>>(info.id, "env.json");
    const dir = join(h.dataDir, info.id);
    expect(env).toMatchObject({
      EXTRA_PASS: "extra",
      SOME_SECRET: "tenant-secret-value",
      HOME: join(dir, "home"),
      // No mount namespace: the host relocates the runtime into the sandbox's own directories.
      NIGHTSHIFT_WORKDIR: join(dir, "work"),
      NIGHTSHIFT_STATE_DIR: join(dir, "state"),
      // The control plane's git proxy, as it was sent: never a path to a repository on this host.
      NIGHTSHIFT_REPO_URL: demoRepoUrl(BASE_ENV.NIGHTSHIFT_CONTROL_PLANE_URL),
      NIGHTSHIFT_SESSION_ID: "ses_test",
    });
    expect(env.NIGHTSHIFT_SECRET_NAMES?.split(",").sort()).toEqual(["SOME_SECRET"]);
    expect(env).not.toHaveProperty("HOST_ONLY_VARIABLE");
    expect(env).not.toHaveProperty("ANTHROPIC_API_KEY");
    expect(JSON.stringify(env)).not.toContain("sk-host-model-key");
    // Node adds nothing of its own beyond what we allowed (plus what the fake runtime's Node sets).
    const allowed = new Set([
      "PATH",
      "LANG",
      "HOME",
      "TMPDIR",
      "EXTRA_PASS",
      "SOME_SECRET",
      ...Object.keys(env).filter((k) => k.startsWith("NIGHTSHIFT_")),
    ]);
    expect(Object.keys(env).filter((k) => !allowed.has(k))).toEqual([]);
    const identity = await h.recorded<{ cwd: string }>(info.id, "identity.json");
    expect(identity.cwd).toBe(join(dir, "work"));

    const listed = ListSandboxesResponse.parse(await (await h.call("GET", "/v1/sandboxes")).json());
    expect(listed.sandboxes.map((s) => s.id)).toEqual([info.id]);
    const got = await h.call("GET", `/v1/sandboxes/${info.id}`);
    expect(await got.json()).toMatchObject({ id: info.id, state: "running", network: "shared" });
  });

  it("terminate kills the whole process tree and removes the directory", async () => {
    const h = await start();
    const info = await h.create();
    await h.recorded(info.id, "identity.json");
    const pids = sandboxPids(info.pid!);
    expect(pids.length).toBeGreaterThanOrEqual(3); // the runtime and its two children
    const res = await h.call("DELETE", `/v1/sandboxes/${info.id}`);
    expect(res.status).toBe(200);
    expect(SandboxInfo.parse(await res.json())).toMatchObject({ state: "terminated" });
    await waitFor(() => pids.every((pid) => !isAlive(pid)), "every sandbox process to be gone", 5000);
    expect(existsSync(join(h.dataDir, info.id))).toBe(false);
    const again = await h.call("GET", `/v1/sandboxes/${info.id}`);
    expect(await again.json()).toMatchObject({ state: "terminated" });
  });

  it("marks a runtime that exits by itself as exited with its code, and cleans up", async () => {
    const h = await start();
    const info = await h.create({ EXIT_WITH: "3" });
    await waitFor(async () => (await stateOf(h, info.id)) === "exited", "exit");
    const got = SandboxInfo.parse(await (await h.call("GET", `/v1/sandboxes/${info.id}`)).json());
    expect(got).toMatchObject({ state: "exited", exitCode: 3 });
    expect(got.endedAt).not.toBeNull();
    await waitFor(() => !existsSync(join(h.dataDir, info.id)), "the directory to be removed");
  });

  it("keeps directories with --keep", async () => {
    const h = await start({}, true);
    const info = await h.create({ EXIT_WITH: "0" });
    await waitFor(async () => (await stateOf(h, info.id)) === "exited", "exit");
    expect(existsSync(join(h.dataDir, info.id, "runtime.log"))).toBe(true);
  });

  it("refuses repository paths that escape the root with 400", async () => {
    const h = await start();
    symlinkSync("/etc", join(h.reposRoot, "sneaky"));
    for (const path of ["../other", "sneaky", "/etc", "missing"]) {
      const res = await h.call("POST", "/v1/sandboxes", {
        sessionId: "s",
        incarnation: "i",
        repo: { kind: "local", path },
        env: {},
      });
      expect(res.status, path).toBe(400);
      expect((await errorOf(res)).code).toBe("invalid_request");
    }
    expect(h.host.manager.list()).toEqual([]);
  });

  it("a new incarnation of a session supersedes the old sandbox; shutdown stops the rest", async () => {
    const h = await start();
    const first = await h.create({}, "ses_same");
    await h.recorded(first.id, "identity.json");
    const firstPids = sandboxPids(first.pid!);
    const second = await h.create({}, "ses_same");
    await waitFor(() => h.host.manager.get(first.id)?.state === "terminated", "the old sandbox to stop");
    expect(firstPids.every((pid) => !isAlive(pid))).toBe(true);
    await h.recorded(second.id, "identity.json");
    const secondPids = sandboxPids(second.pid!);
    await h.host.close();
    expect(secondPids.every((pid) => !isAlive(pid))).toBe(true);
    expect(h.host.manager.get(second.id)?.state).toBe("terminated");
  });

  it("grows by well under a few MB per sandbox", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const h = await start();
    // Warm up code paths once, then measure ten more sandboxes.
    await h.recorded((await h.create({}, "warm")).id, "identity.json");
    gc();
    const before = process.memoryUsage().heapUsed;
    const infos = [];
    for (let i = 0; i < 10; i++) infos.push(await h.create({}, `ses_${i}`));
    for (const info of infos) await h.recorded(info.id, "identity.json");
    gc();
    const perSandbox = (process.memoryUsage().heapUsed - before) / 10;
    expect(perSandbox).toBeLessThan(1024 * 1024);
    expect(h.host.manager.runningCount).toBe(11);
  });

  it("never writes a secret or the sandbox token into its log, even the runtime's output tail", async () => {
    const lines: string[] = [];
    harness = await startHarness({ isolation: "process", log: createHostLogger((line) => lines.push(line)) });
    const info = await harness.create({
      SOME_SECRET: "tenant-secret-value",
      NIGHTSHIFT_SECRET_NAMES: "SOME_SECRET",
      EXIT_WITH: "4",
    });
    await waitFor(() => harness?.host.manager.get(info.id)?.state === "exited", "exit");
    const exitLine = lines.find((line) => line.includes('"state":"exited"'));
    expect(exitLine).toContain("secret in output: ***");
    const all = lines.join("\n");
    expect(all).not.toContain("tenant-secret-value");
    expect(all).not.toContain(BASE_ENV.NIGHTSHIFT_SANDBOX_TOKEN);
  });
});
