/**
 * The host running the real runtime (with a stand-in agent, see fixtures/runtime-entry.ts) in
 * whatever isolation this machine offers (bubblewrap here when available): the runtime clones
 * the local repository through the control plane's git proxy (a stand-in in front of the host's
 * signed git endpoint), runs the setup hook, takes a prompt, and its push lands in the
 * repository on the host.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SANDBOX_WORKDIR } from "@nightshift/protocol";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { BridgeServer } from "./bridge-server";
import { type GitProxyLog, gitProxyHandler, upstreamOf } from "./git-proxy-stand-in";
import { BASE_ENV, type Harness, sandboxPids, startHarness } from "./host-harness";

const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8" }).trim();

describe("sandbox host with the real runtime", () => {
  let h: Harness;
  let bridge: BridgeServer;
  const gitLog: GitProxyLog = { forwarded: [], unauthorized: [] };
  beforeAll(async () => {
    h = await startHarness({ runtimePath: inject("runtimeBundle") });
    // The control plane: the bridge, and its git proxy in front of the host's git endpoint.
    bridge = await BridgeServer.start(BASE_ENV.NIGHTSHIFT_SANDBOX_TOKEN, [
      gitProxyHandler(upstreamOf(h, BASE_ENV.NIGHTSHIFT_SESSION_ID), gitLog),
    ]);
    const repo = join(h.reposRoot, "demo");
    mkdirSync(join(repo, ".nightshift"));
    writeFileSync(join(repo, ".nightshift", "setup.sh"), 'echo "setup in $(pwd) as $(id -u)"\n');
    writeFileSync(join(repo, "README.md"), "demo\n");
    git(repo, "add", "-A");
    git(repo, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "init");
  });
  afterAll(async () => {
    await h.stop();
    await bridge.stop();
  });

  it("clones, becomes ready, and pushes the turn's commit back into the local repository", async () => {
    const info = await h.create({ NIGHTSHIFT_CONTROL_PLANE_URL: bridge.url });
    await waitFor(() => bridge.readyFrames > 0, "ready from the sandbox", 20_000);
    const logs = bridge.events.flatMap((e) => (e.type === "log" ? [e.text] : []));
    const workdir = h.host.isolation === "bubblewrap" ? SANDBOX_WORKDIR : join(h.dataDir, info.id, "work");
    expect(logs.join("")).toContain(`setup in ${workdir}`);
    // The clone came through the control plane's git proxy, the sandbox token as its password.
    expect(gitLog.forwarded).toContain("GET /sandbox/git/local/demo.git/info/refs");

    bridge.send({
      v: 1,
      type: "prompt",
      promptId: "p1",
      text: "write hello.txt from the sandbox",
      author: { name: "Ada", email: "ada@example.com" },
    });
    await waitFor(() => bridge.events.some((e) => e.type === "turn.end"), "turn.end", 20_000);
    const push = bridge.events.find((e) => e.type === "git.push");
    expect(push).toMatchObject({ branch: "nightshift/test", filesChanged: 1 });
    const repo = join(h.reposRoot, "demo");
    // The push lands in the host's mirror; the host fetches it into the developer's repository.
    await waitFor(
      () => hasBranch(repo, "nightshift/test"),
      "the branch in the developer's repository",
      10_000,
    );
    expect(git(repo, "show", "nightshift/test:hello.txt")).toBe("from the sandbox");
    expect(git(repo, "log", "-1", "--format=%an", "nightshift/test")).toBe("Ada");
    expect(gitLog.forwarded).toContain("POST /sandbox/git/local/demo.git/git-receive-pack");

    bridge.send({ v: 1, type: "shutdown", reason: "done" });
    await waitFor(() => h.host.manager.get(info.id)?.state === "exited", "the runtime to exit", 15_000);
    expect(h.host.manager.get(info.id)).toMatchObject({ exitCode: 0 });
  });

  it("a hook planted by the agent never runs in the developer's repository, and the runtime's environ holds no sandbox token", async () => {
    const repo = join(h.reposRoot, "demo");
    const marker = join(h.base, "planted-hook-ran");
    bridge.events.length = 0;
    bridge.readyFrames = 0;
    const info = await h.create({
      NIGHTSHIFT_CONTROL_PLANE_URL: bridge.url,
      NIGHTSHIFT_BRANCH: "nightshift/planted",
    });
    await waitFor(() => bridge.readyFrames > 0, "ready from the sandbox", 20_000);

    // The real runtime, running: the kernel's view of its environment (and of every process of the sandbox).
    const runtimePids = sandboxPids(info.pid!).filter((pid) =>
      readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("runtime.mjs"),
    );
    expect(runtimePids.length).toBeGreaterThan(0);
    for (const pid of sandboxPids(info.pid!))
      expect(readFileSync(`/proc/${pid}/environ`, "utf8"), `pid ${pid}`).not.toContain(
        BASE_ENV.NIGHTSHIFT_SANDBOX_TOKEN,
      );

    bridge.send({
      v: 1,
      type: "prompt",
      promptId: "p2",
      text: `plant ${marker} planted.txt`,
      author: { name: "Ada", email: "ada@example.com" },
    });
    await waitFor(() => bridge.events.some((e) => e.type === "turn.end"), "turn.end", 20_000);
    await waitFor(
      () => hasBranch(repo, "nightshift/planted"),
      "the branch in the developer's repository",
      10_000,
    );
    bridge.send({ v: 1, type: "shutdown", reason: "done" });
    await waitFor(() => h.host.manager.get(info.id)?.state === "exited", "the runtime to exit", 15_000);

    // The developer's next git commands, with their ordinary configuration.
    git(repo, "status");
    git(repo, "checkout", "-q", "nightshift/planted");
    git(repo, "checkout", "-q", "-");
    expect(existsSync(marker)).toBe(false);
    expect(readFileSync(join(repo, ".git", "config"), "utf8")).not.toMatch(
      /fsmonitor|hooksPath|packObjectsHook/,
    );
    expect(git(repo, "show", "nightshift/planted:planted.txt")).toBe("planted");
  });
});

function hasBranch(repo: string, branch: string): boolean {
  try {
    git(repo, "rev-parse", "--verify", "--quiet", `refs/heads/${branch}`);
    return true;
  } catch {
    return false;
  }
}
