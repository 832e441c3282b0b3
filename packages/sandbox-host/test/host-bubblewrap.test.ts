/**
 * Sandboxes under bubblewrap (skipped, with the reason printed, where bwrap is missing or its
 * self-test fails): isolation is reported, the sandbox can write only its own directories and
 * its repository mirror (never the developer's repository), what it plants there never runs on
 * the host, bwrap (and setpriv) run with the host's fixed environment only, and terminate leaves
 * no process behind.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { SANDBOX_EGRESS_PORT, SANDBOX_WORKDIR } from "@nightshift/protocol";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxView } from "../src/index";
import { selfTestBubblewrap } from "../src/sandbox/bubblewrap";
import { isAlive } from "../src/sandbox/process-tree";
import { BASE_ENV, FAKE_RUNTIME, type Harness, sandboxPids, startHarness } from "./host-harness";

/** The names in a process's environment as the kernel shows it, and the raw text. */
function environOf(pid: number): { names: string[]; text: string } {
  const text = readFileSync(`/proc/${pid}/environ`, "utf8");
  const names = text
    .split("\0")
    .filter(Boolean)
    .map((entry) => entry.split("=")[0]!);
  return { names: names.sort(), text };
}
const LAUNCHER_NAMES = ["LANG", "NIGHTSHIFT_ENV_FD", "PATH"];

const selfTest = await selfTestBubblewrap();
if (!selfTest.ok) console.warn(`skipping bubblewrap tests: ${selfTest.reason}`);

describe.runIf(selfTest.ok)("sandbox host with bubblewrap", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ isolation: "auto" });
  });
  afterAll(() => h.stop());

  it("uses bubblewrap and says the network is isolated", async () => {
    expect(h.host.isolation).toBe("bubblewrap");
    const info = await h.create({ EXIT_WITH: "0" });
    expect(info.isolation).toBe("bubblewrap");
    const view = (await (await h.call("GET", `/v1/sandboxes/${info.id}`)).json()) as SandboxView;
    expect(view.network).toBe("isolated");
    expect(view.warnings.join(" ")).not.toMatch(/network is not isolated/);
  });

  it("can write its own directories, and nothing else (not the host's mirror of its repository either)", async () => {
    const hostTmpFile = join("/tmp", `ns-probe-${process.pid}-${Date.now()}`);
    const own = ["__SANDBOX_DIR__/work/w", "__SANDBOX_DIR__/home/h", "__SANDBOX_DIR__/state/s"];
    const denied = [
      "__SANDBOX_DIR__/repo.git/probe", // the host's mirror of the repository: only the control plane reaches it
      join(h.reposRoot, "demo", ".git", "probe"), // the developer's repository
      join(h.reposRoot, "demo", "README.md"), // the repository's worktree
      join(h.reposRoot, "other", ".git", "probe"), // another repository
      join(h.dataDir, "probe"), // the data dir itself
      join(h.dataDir, "sbx_neighbour", "probe"), // a neighbour sandbox
      "__SANDBOX_DIR__/runtime.log", // the host's log of this sandbox
      join(dirname(FAKE_RUNTIME), "probe"), // the runtime's directory, bound read-only
      "/etc/probe",
      "/usr/probe",
      join(h.base, "probe"),
    ];
    const info = await h.create({ PROBE_WRITES: JSON.stringify([...own, ...denied, hostTmpFile]) });
    const results = await h.recorded<Record<string, string>>(info.id, "probe.json");
    const onHost = (path: string) => path.replace("__SANDBOX_DIR__", join(h.dataDir, info.id));
    for (const path of own) {
      expect(results[path], path).toBe("written");
      expect(readFileSync(onHost(path), "utf8"), path).toBe("probe");
    }
    // Outside its binds the sandbox sees read-only system dirs and a private tmpfs (this test's
    // directories live under /tmp): a write there either fails or never reaches the host.
    for (const path of [...denied, hostTmpFile]) {
      const reached = existsSync(onHost(path)) && readFileSync(onHost(path), "utf8") === "probe";
      expect(reached, path).toBe(false);
    }
    expect(results[join(dirname(FAKE_RUNTIME), "probe")]).toBe("EROFS");
    expect(results["/etc/probe"]).not.toBe("written");
    expect(results["/usr/probe"]).not.toBe("written");
    await h.call("DELETE", `/v1/sandboxes/${info.id}`);
  });

  it("neither the developer's repository nor the host's mirror of it is bound into the sandbox: its git remote is the control plane's proxy", async () => {
    const devGit = join(h.reposRoot, "demo", ".git");
    const info = await h.create({ PROBE_WRITES: JSON.stringify([join(devGit, "probe")]) });
    const env = await h.recorded<Record<string, string>>(info.id, "env.json");
    // Rewritten like the control-plane URL: the sandbox dials it through its egress forwarder.
    expect(env.NIGHTSHIFT_REPO_URL).toBe(
      `http://127.0.0.1:${SANDBOX_EGRESS_PORT}/sandbox/git/local/demo.git`,
    );
    expect(env.NIGHTSHIFT_WORKDIR).toBe(SANDBOX_WORKDIR);
    const argv = readFileSync(`/proc/${info.pid}/cmdline`, "utf8").split("\0");
    expect(argv.filter((arg) => arg.startsWith(h.reposRoot))).toEqual([]);
    expect(argv.filter((arg) => arg.includes("repo.git"))).toEqual([]);
    const results = await h.recorded<Record<string, string>>(info.id, "probe.json");
    expect(results[join(devGit, "probe")]).toBe("ENOENT");
    expect(existsSync(join(devGit, "probe"))).toBe(false);
    await h.call("DELETE", `/v1/sandboxes/${info.id}`);
  });

  it("a hook planted by the sandbox never runs in the developer's repository", async () => {
    const repo = join(h.reposRoot, "demo");
    const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8" });
    git("-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "init");
    const marker = join(h.base, `planted-hook-ran-${Date.now()}`);
    const info = await h.create({ PLANT_MARKER: marker, EXIT_WITH: "0" });
    const planted = await h.recorded<string[]>(info.id, "planted.json");
    expect(planted.length).toBeGreaterThan(0);
    await waitFor(() => h.host.manager.get(info.id)?.state === "exited", "the sandbox to exit", 10_000);
    // The developer's next git commands, with their ordinary configuration.
    git("status");
    git("checkout", "-q", "-b", `after-${info.id}`);
    git("-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "more");
    expect(existsSync(marker)).toBe(false);
    expect(readFileSync(join(repo, ".git", "config"), "utf8")).not.toMatch(
      /fsmonitor|hooksPath|packObjectsHook/,
    );
    expect(existsSync(join(repo, ".git", "hooks", "fsmonitor"))).toBe(false);
  });

  it("bwrap runs with the host's fixed environment only, and the runtime's /proc/self/environ holds no sandbox token", async () => {
    const info = await h.create({
      SOME_SECRET: "tenant-secret-value",
      NIGHTSHIFT_SECRET_NAMES: "SOME_SECRET",
    });
    const own = await h.recorded<string[]>(info.id, "own-environ.json");
    const launcher = environOf(info.pid!);
    expect(launcher.names).toEqual(LAUNCHER_NAMES);
    for (const text of [launcher.text, own.join("\n")]) {
      expect(text).not.toContain(BASE_ENV.NIGHTSHIFT_SANDBOX_TOKEN);
      expect(text).not.toContain("tenant-secret-value");
    }
    // Every process of the sandbox, as the host sees it: none holds the token in its environment.
    for (const pid of sandboxPids(info.pid!)) {
      expect(environOf(pid).text, `pid ${pid}`).not.toContain(BASE_ENV.NIGHTSHIFT_SANDBOX_TOKEN);
    }
    const env = await h.recorded<Record<string, string>>(info.id, "env.json");
    expect(env.NIGHTSHIFT_SANDBOX_TOKEN).toBe(BASE_ENV.NIGHTSHIFT_SANDBOX_TOKEN);
    await h.call("DELETE", `/v1/sandboxes/${info.id}`);
  });

  it("terminate leaves no process of the sandbox behind", async () => {
    const info = await h.create();
    const identity = await h.recorded<{ children: number[] }>(info.id, "identity.json");
    expect(identity.children).toHaveLength(2);
    const pids = sandboxPids(info.pid!);
    expect(pids.length).toBeGreaterThanOrEqual(4); // bwrap, its init, the runtime, two children
    const res = await h.call("DELETE", `/v1/sandboxes/${info.id}`);
    expect(await res.json()).toMatchObject({ state: "terminated" });
    await waitFor(() => pids.every((pid) => !isAlive(pid)), "every sandbox process to be gone", 5000);
  });
});

const asRoot = process.getuid?.() === 0;
describe.runIf(selfTest.ok && asRoot)("sandbox host with bubblewrap and --sandbox-uid", () => {
  it("runs the sandbox as the unprivileged uid, which can write its own directories only", async () => {
    // The checkout (and the Node it runs) may sit under a directory private to root, as a
    // `mktemp -d` clone does; an operator installs the tools where the sandbox uid can reach them.
    const tools = stageToolsForOtherUsers();
    const h = await startHarness({
      isolation: "bubblewrap",
      sandboxUid: 65534,
      nodePath: tools.node,
      runtimePath: tools.runtime,
    });
    try {
      // The test's temporary data directories are private to root too.
      chmodSync(h.base, 0o755);
      const devGit = join(h.reposRoot, "demo", ".git", "probe");
      const info = await h.create({
        PROBE_WRITES: JSON.stringify(["__SANDBOX_DIR__/work/w", "__SANDBOX_DIR__/repo.git/probe", devGit]),
      });
      const identity = await h.recorded<{ uid: number }>(info.id, "identity.json");
      expect(identity.uid).toBe(65534);
      const results = await h.recorded<Record<string, string>>(info.id, "probe.json");
      expect(results["__SANDBOX_DIR__/work/w"]).toBe("written");
      // Neither the host's mirror nor the developer's repository is there at all.
      expect(results["__SANDBOX_DIR__/repo.git/probe"]).not.toBe("written");
      expect(results[devGit]).not.toBe("written");
      expect(existsSync(devGit)).toBe(false);
      // setpriv execs bwrap in the same process: the launcher, still running as it started.
      expect(environOf(info.pid!).names).toEqual(LAUNCHER_NAMES);
      expect(environOf(info.pid!).text).not.toContain(BASE_ENV.NIGHTSHIFT_SANDBOX_TOKEN);
    } finally {
      await h.stop();
      rmSync(tools.dir, { recursive: true, force: true });
    }
  });
});

/** Node and the stand-in runtime, copied to a directory every user can read and traverse. */
function stageToolsForOtherUsers(): { dir: string; node: string; runtime: string } {
  const dir = mkdtempSync(join(tmpdir(), "ns-tools-"));
  chmodSync(dir, 0o755);
  const node = join(dir, "node");
  copyFileSync(process.execPath, node);
  chmodSync(node, 0o755);
  const runtime = join(dir, basename(FAKE_RUNTIME));
  copyFileSync(FAKE_RUNTIME, runtime);
  chmodSync(runtime, 0o644);
  return { dir, node, runtime };
}
