/**
 * Sandboxes under bubblewrap (skipped, with the reason printed, where bwrap is missing or its
 * self-test fails): isolation is reported, the sandbox can write only its own directories and
 * the one repository's git directory, and terminate leaves no process behind.
 */
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxView } from "../src/index";
import { selfTestBubblewrap } from "../src/sandbox/bubblewrap";
import { isAlive } from "../src/sandbox/process-tree";
import { FAKE_RUNTIME, type Harness, sandboxPids, startHarness } from "./host-harness";

const selfTest = await selfTestBubblewrap();
if (!selfTest.ok) console.warn(`skipping bubblewrap tests: ${selfTest.reason}`);

describe.runIf(selfTest.ok)("sandbox host with bubblewrap", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ isolation: "auto" });
  });
  afterAll(() => h.stop());

  it("uses bubblewrap and says the network is shared", async () => {
    expect(h.host.isolation).toBe("bubblewrap");
    const info = await h.create({ EXIT_WITH: "0" });
    expect(info.isolation).toBe("bubblewrap");
    const view = (await (await h.call("GET", `/v1/sandboxes/${info.id}`)).json()) as SandboxView;
    expect(view.warnings.join(" ")).toMatch(/network is not isolated/);
  });

  it("can write its own directories and the repository's git dir, and nothing else", async () => {
    const hostTmpFile = join("/tmp", `ns-probe-${process.pid}-${Date.now()}`);
    const own = ["__SANDBOX_DIR__/work/w", "__SANDBOX_DIR__/home/h", "__SANDBOX_DIR__/state/s"];
    const repoGit = join(h.reposRoot, "demo", ".git", "probe");
    const denied = [
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
    const info = await h.create({ PROBE_WRITES: JSON.stringify([...own, repoGit, ...denied, hostTmpFile]) });
    const results = await h.recorded<Record<string, string>>(info.id, "probe.json");
    const onHost = (path: string) => path.replace("__SANDBOX_DIR__", join(h.dataDir, info.id));
    for (const path of [...own, repoGit]) {
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
      const info = await h.create({
        PROBE_WRITES: JSON.stringify(["__SANDBOX_DIR__/work/w", join(h.reposRoot, "demo", ".git", "probe")]),
      });
      const identity = await h.recorded<{ uid: number }>(info.id, "identity.json");
      expect(identity.uid).toBe(65534);
      const results = await h.recorded<Record<string, string>>(info.id, "probe.json");
      expect(results["__SANDBOX_DIR__/work/w"]).toBe("written");
      // The operator's repository is not writable by the sandbox uid: pushes need the repo to grant it (README).
      expect(results[join(h.reposRoot, "demo", ".git", "probe")]).toBe("EACCES");
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
