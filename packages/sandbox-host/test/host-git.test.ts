/**
 * The host's signed git endpoint, as the control plane's git proxy uses it: real git clones and
 * pushes the session's mirror through a stand-in proxy (git-proxy-stand-in.ts); the push lands in
 * the developer's repository by the host's hardened fetch. Unsigned, replayed or misdirected
 * requests get nothing, and a request cannot steer the git the host runs.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BridgeServer } from "./bridge-server";
import { type GitProxyLog, gitProxyHandler, upstreamOf } from "./git-proxy-stand-in";
import { BASE_ENV, demoRepoUrl, type Harness, SECRET, startHarness } from "./host-harness";
import { signedFetch, signedHeaders } from "./signed-fetch";

const TOKEN = BASE_ENV.NIGHTSHIFT_SANDBOX_TOKEN;
const execFileAsync = promisify(execFile);

/**
 * git as the runtime runs it against the proxy: no config of the machine, the token as the
 * password. Asynchronous: the proxy and the host answer from this same process.
 */
async function gitAsRuntime(cwd: string, ...args: string[]): Promise<string> {
  const helper = `!f() { test "$1" = get && echo username=x-sandbox-token && echo password=${TOKEN}; }; f`;
  const { stdout } = await execFileAsync(
    "git",
    ["-c", `credential.helper=${helper}`, "-c", "user.name=Ada", "-c", "user.email=ada@example.com", ...args],
    {
      cwd,
      encoding: "utf8",
      timeout: 30_000,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: cwd,
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_CONFIG_GLOBAL: "/dev/null",
        GIT_TERMINAL_PROMPT: "0",
      },
    },
  );
  return stdout.trim();
}

function branchOf(repo: string, branch: string): string | null {
  try {
    return execFileSync("git", ["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`], {
      cwd: repo,
      encoding: "utf8",
    }).trim();
  } catch {
    return null;
  }
}

describe("the host's git endpoint for the control plane's git proxy", () => {
  let h: Harness;
  let plane: BridgeServer;
  let work: string;
  const gitLog: GitProxyLog = { forwarded: [], unauthorized: [] };

  beforeAll(async () => {
    h = await startHarness({ isolation: "process" });
    plane = await BridgeServer.start(TOKEN);
    plane.handlers.push(gitProxyHandler(upstreamOf(h, BASE_ENV.NIGHTSHIFT_SESSION_ID), gitLog));
    const repo = join(h.reposRoot, "demo");
    writeFileSync(join(repo, "README.md"), "demo\n");
    execFileSync("git", ["add", "-A"], { cwd: repo });
    execFileSync(
      "git",
      ["-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "init"],
      {
        cwd: repo,
      },
    );
    work = mkdtempSync(join(tmpdir(), "ns-host-git-"));
  });
  afterAll(async () => {
    await h.stop();
    await plane.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("clones the session's mirror and takes the session branch's push home into the developer's repository", async () => {
    const info = await h.create({ NIGHTSHIFT_CONTROL_PLANE_URL: plane.url });
    const clone = join(work, "clone");
    await gitAsRuntime(work, "clone", "-q", demoRepoUrl(plane.url), clone);
    expect(readFileSync(join(clone, "README.md"), "utf8")).toBe("demo\n");
    await gitAsRuntime(clone, "checkout", "-q", "-b", "nightshift/test");
    writeFileSync(join(clone, "hello.txt"), "from the proxy\n");
    await gitAsRuntime(clone, "add", "hello.txt");
    await gitAsRuntime(clone, "commit", "-q", "-m", "hello");
    await gitAsRuntime(clone, "push", "-q", "origin", "nightshift/test");
    const sha = await gitAsRuntime(clone, "rev-parse", "HEAD");
    const devRepo = join(h.reposRoot, "demo");
    await waitFor(() => branchOf(devRepo, "nightshift/test") === sha, "the pushed branch at home", 10_000);
    expect(gitLog.forwarded).toEqual(
      expect.arrayContaining([
        "GET /sandbox/git/local/demo.git/info/refs",
        "POST /sandbox/git/local/demo.git/git-upload-pack",
        "POST /sandbox/git/local/demo.git/git-receive-pack",
      ]),
    );
    // A fetch over protocol v2 (git's default) sees the pushed branch.
    expect(
      await gitAsRuntime(clone, "-c", "protocol.version=2", "ls-remote", "origin", "nightshift/test"),
    ).toContain(sha);
    await h.call("DELETE", `/v1/sandboxes/${info.id}`);
  });

  it("an unsigned, badly signed or replayed git request gets 401 and no repository data", async () => {
    const info = await h.create({ NIGHTSHIFT_CONTROL_PLANE_URL: plane.url });
    const base = `/v1/sessions/${info.sessionId}/incarnations/${info.incarnation}/git`;
    const refs = `${base}/info/refs?service=git-upload-pack&nonce=a`;
    const unsigned = await fetch(new URL(refs, h.host.url));
    expect(unsigned.status).toBe(401);
    expect(await unsigned.text()).not.toContain("refs/heads");
    const forged = await signedFetch(h.host.url, "another-secret-0123456789", { method: "GET", path: refs });
    expect(forged.status).toBe(401);
    // A POST signed for one nonce cannot be sent again.
    const path = `${base}/git-upload-pack?nonce=b`;
    const headers = await signedHeaders(SECRET, { method: "POST", path });
    const first = await fetch(new URL(path, h.host.url), { method: "POST", headers, body: "0000" });
    await first.arrayBuffer();
    expect(first.status).toBe(200);
    const replay = await fetch(new URL(path, h.host.url), { method: "POST", headers, body: "0000" });
    expect(replay.status).toBe(401);
    expect(await replay.text()).toMatch(/replayed/);
    await h.call("DELETE", `/v1/sandboxes/${info.id}`);
  });

  it("serves only the mirror of a live sandbox of that session and incarnation (404 otherwise)", async () => {
    const info = await h.create({ NIGHTSHIFT_CONTROL_PLANE_URL: plane.url });
    const refs = (session: string, incarnation: string) =>
      `/v1/sessions/${session}/incarnations/${incarnation}/git/info/refs?service=git-upload-pack&nonce=c`;
    const live = await signedFetch(h.host.url, SECRET, {
      method: "GET",
      path: refs(info.sessionId, info.incarnation),
    });
    expect(live.status).toBe(200);
    expect(live.headers.get("content-type")).toBe("application/x-git-upload-pack-advertisement");
    expect(await live.text()).toMatch(/^001e# service=git-upload-pack\n0000/);
    for (const path of [refs("ses_other", info.incarnation), refs(info.sessionId, "inc-other")]) {
      const res = await signedFetch(h.host.url, SECRET, { method: "GET", path });
      expect(res.status, path).toBe(404);
    }
    await h.call("DELETE", `/v1/sandboxes/${info.id}`);
    const ended = await signedFetch(h.host.url, SECRET, {
      method: "GET",
      path: refs(info.sessionId, info.incarnation),
    });
    expect(ended.status).toBe(404);
  });

  it("a request cannot steer the host's git: no service but upload-pack and receive-pack, no malformed Git-Protocol, CGI-like headers ignored", async () => {
    const info = await h.create({ NIGHTSHIFT_CONTROL_PLANE_URL: plane.url });
    const base = `/v1/sessions/${info.sessionId}/incarnations/${info.incarnation}/git`;
    const marker = join(work, "steered");
    const other = await signedFetch(h.host.url, SECRET, {
      method: "GET",
      path: `${base}/info/refs?service=git-upload-archive&nonce=d`,
    });
    expect(other.status).toBe(400);
    const badProtocol = `${base}/info/refs?service=git-upload-pack&nonce=e`;
    const res = await fetch(new URL(badProtocol, h.host.url), {
      headers: {
        ...(await signedHeaders(SECRET, { method: "GET", path: badProtocol })),
        "git-protocol": "version=2 $(touch /tmp/x)",
      },
    });
    expect(res.status).toBe(400);
    const cgi = `${base}/info/refs?service=git-upload-pack&nonce=f`;
    const steered = await fetch(new URL(cgi, h.host.url), {
      headers: {
        ...(await signedHeaders(SECRET, { method: "GET", path: cgi })),
        "x-git-dir": "/",
        "path-info": "/../../etc",
        "git-config-parameters": `'uploadpack.packObjectsHook=touch ${marker}'`,
      },
    });
    expect(steered.status).toBe(200);
    await steered.text();
    expect(existsSync(marker)).toBe(false);
    await h.call("DELETE", `/v1/sandboxes/${info.id}`);
  });
});
