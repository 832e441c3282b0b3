/**
 * A root host drops its sandboxes to an unprivileged uid unless told otherwise, so the agent's
 * inner sandbox can start (root inside bwrap cannot nest one). Node and the runtime may sit under a
 * root-private directory, as in a `mktemp -d` clone: the host stages them where that uid reaches.
 */
import { chmodSync, linkSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selfTestBubblewrap } from "../src/sandbox/bubblewrap";
import { DEFAULT_SANDBOX_UID } from "../src/sandbox/sandbox-uid";
import { FAKE_RUNTIME, type Harness, startHarness } from "./host-harness";

const isRoot = process.getuid?.() === 0;
const selfTest = isRoot ? await selfTestBubblewrap(DEFAULT_SANDBOX_UID) : { ok: false as const };

describe.runIf(selfTest.ok)("a root host's default sandbox uid", () => {
  let privateTools: string;
  let dataRoot: string;
  beforeAll(() => {
    // Hard links: Node and the stand-in runtime inside a directory only root can enter.
    privateTools = mkdtempSync(join(tmpdir(), "ns-private-tools-"));
    chmodSync(privateTools, 0o700);
    mkdirSync(join(privateTools, "bin"), { mode: 0o755 });
    linkSync(process.execPath, join(privateTools, "bin", "node"));
    linkSync(FAKE_RUNTIME, join(privateTools, "bin", "record-env.mjs"));
    dataRoot = mkdtempSync(join(tmpdir(), "ns-data-"));
    chmodSync(dataRoot, 0o755);
  });
  afterAll(() => {
    rmSync(privateTools, { recursive: true, force: true });
    rmSync(dataRoot, { recursive: true, force: true });
  });

  it("runs sandboxes as an unprivileged uid with a name, even when the tools sit in a root-private checkout", async () => {
    const h: Harness = await startHarness({
      isolation: "bubblewrap",
      dataDir: join(dataRoot, "sandboxes"),
      nodePath: join(privateTools, "bin", "node"),
      runtimePath: join(privateTools, "bin", "record-env.mjs"),
    });
    try {
      expect(h.host.config.sandboxUid).toBe(DEFAULT_SANDBOX_UID);
      const info = await h.create({ PROBE_WRITES: JSON.stringify(["__SANDBOX_DIR__/work/w"]) });
      const identity = await h.recorded<{ uid: number }>(info.id, "identity.json");
      expect(identity.uid).toBe(DEFAULT_SANDBOX_UID);
      const results = await h.recorded<Record<string, string>>(info.id, "probe.json");
      expect(results["__SANDBOX_DIR__/work/w"]).toBe("written");
    } finally {
      await h.stop();
    }
  });

  it("keeps root, and says so, when the data directory is out of the uid's reach; --sandbox-uid 0 keeps root", async () => {
    const hidden = await startHarness({ isolation: "bubblewrap" }); // its data dir is under a 0700 temp dir
    const asRoot = await startHarness({
      isolation: "bubblewrap",
      sandboxUid: 0,
      dataDir: join(dataRoot, "root"),
    });
    try {
      expect(hidden.host.config.sandboxUid).toBeUndefined();
      expect(asRoot.host.config.sandboxUid).toBeUndefined();
      const info = await asRoot.create();
      expect((await asRoot.recorded<{ uid: number }>(info.id, "identity.json")).uid).toBe(0);
    } finally {
      await hidden.stop();
      await asRoot.stop();
    }
  });
});
