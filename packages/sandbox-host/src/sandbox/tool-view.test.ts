import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findExecutable } from "./bubblewrap";
import { reachableBy, ToolView } from "./tool-view";

const SANDBOX_UID = 1777;
const isRoot = process.getuid?.() === 0;
const bwrap = findExecutable("bwrap");

describe.runIf(isRoot)("the tools a sandbox uid can reach", () => {
  let base: string;
  let privateTools: string;
  let cache: string;
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), "ns-toolview-"));
    chmodSync(base, 0o755);
    // A checkout under a root-private directory, as a CI clone under `mktemp -d` is.
    const privateParent = join(base, "private");
    mkdirSync(privateParent, { mode: 0o700 });
    privateTools = join(privateParent, "tools");
    // Private itself too, as a `mktemp -d` directory is.
    mkdirSync(privateTools, { mode: 0o700 });
    mkdirSync(join(privateTools, "bin"), { mode: 0o755 });
    writeFileSync(join(privateTools, "bin", "tool.sh"), "#!/bin/sh\necho tool-ran\n", { mode: 0o755 });
    cache = join(base, "cache");
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it("tells reachable paths from those under a root-private directory", () => {
    expect(reachableBy("/usr/bin", SANDBOX_UID, SANDBOX_UID)).toBe(true);
    expect(reachableBy(privateTools, SANDBOX_UID, SANDBOX_UID)).toBe(false);
    expect(reachableBy(privateTools, 0, 0)).toBe(true); // its owner
  });

  it("binds reachable trees as they are and stages the others at their own path", async () => {
    const view = new ToolView(cache, SANDBOX_UID, SANDBOX_UID);
    const [usr, tools] = await view.binds(["/usr/bin", privateTools]);
    expect(usr).toEqual({ source: "/usr/bin", dest: "/usr/bin" });
    expect(tools?.dest).toBe(privateTools);
    expect(tools?.source.startsWith(cache)).toBe(true);
    expect(reachableBy(tools!.source, SANDBOX_UID, SANDBOX_UID)).toBe(true);
    // Hard links: the staged file is the same inode, not a copy.
    expect(statSync(join(tools!.source, "bin", "tool.sh")).ino).toBe(
      statSync(join(privateTools, "bin", "tool.sh")).ino,
    );
    // Asked again, the same staging is reused.
    const again = await new ToolView(cache, SANDBOX_UID, SANDBOX_UID).binds([privateTools]);
    expect(again[0]?.source).toBe(tools?.source);
  });

  it("stages again when the tree changes, and drops the old staging", async () => {
    const view = new ToolView(cache, SANDBOX_UID, SANDBOX_UID);
    const [before] = await view.binds([privateTools]);
    writeFileSync(join(privateTools, "bin", "new-tool.sh"), "#!/bin/sh\n", { mode: 0o755 });
    utimesSync(join(privateTools, "bin"), new Date(), new Date(Date.now() + 5000));
    const [after] = await new ToolView(cache, SANDBOX_UID, SANDBOX_UID).binds([privateTools]);
    expect(after?.source).not.toBe(before?.source);
    expect(() => statSync(before!.source)).toThrow();
  });

  it.runIf(bwrap !== null)(
    "lets the sandbox uid run a tool from a root-private checkout, under its own name",
    async () => {
      const view = new ToolView(cache, SANDBOX_UID, SANDBOX_UID);
      const binds = [...(await view.binds([privateTools])), ...view.identityFiles()];
      const args = [
        "--reuid=1777",
        "--regid=1777",
        "--clear-groups",
        "--no-new-privs",
        bwrap!,
        "--unshare-all",
        "--die-with-parent",
        "--cap-drop",
        "ALL",
        ...["/usr", "/bin", "/lib", "/lib64", "/etc"].flatMap((d) => ["--ro-bind-try", d, d]),
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        ...binds.flatMap((b) => ["--ro-bind", b.source, b.dest]),
        "--",
        "/bin/sh",
        "-c",
        `${join(privateTools, "bin", "tool.sh")} && id -un`,
      ];
      const out = execFileSync(findExecutable("setpriv") ?? "setpriv", args, { encoding: "utf8" });
      expect(out.split("\n").filter(Boolean)).toEqual(["tool-ran", "nightshift"]);
    },
  );
});
