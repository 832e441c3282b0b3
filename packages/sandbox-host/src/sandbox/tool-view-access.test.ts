import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reachableBy, searchableBy, ToolView } from "./tool-view";

const isRoot = process.getuid?.() === 0;

describe.runIf(isRoot)("tool view: mode bits, identity files and staging edges", () => {
  let base: string;
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), "ns-toolview-access-"));
    chmodSync(base, 0o755);
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it("checks the owner's bits for the owner, the group's for the group, the others' for everyone else", () => {
    const file = join(base, "owned");
    writeFileSync(file, "x");
    chownSync(file, 1777, 1888);
    chmodSync(file, 0o400);
    expect(reachableBy(file, 1777, 1888)).toBe(true);
    expect(reachableBy(file, 1999, 1888)).toBe(false);
    chmodSync(file, 0o044);
    // The owner's own bits decide for the owner, though the group and others may read.
    expect(reachableBy(file, 1777, 1888)).toBe(false);
    expect(reachableBy(file, 1999, 1888)).toBe(true);
    expect(reachableBy(file, 1999, 1999)).toBe(true);
    chmodSync(file, 0o040);
    expect(reachableBy(file, 1999, 1888)).toBe(true);
    expect(reachableBy(file, 1999, 1999)).toBe(false);
    expect(reachableBy(join(base, "missing"), 1777, 1777)).toBe(false);
  });

  it("needs search on every directory down to a path, and read and search on a directory itself", () => {
    const dir = join(base, "searchonly");
    mkdirSync(dir, { mode: 0o711 });
    chmodSync(dir, 0o711);
    writeFileSync(join(dir, "f"), "x", { mode: 0o644 });
    expect(searchableBy(dir, 1777, 1777)).toBe(true);
    expect(reachableBy(dir, 1777, 1777)).toBe(false); // may pass through, may not list
    expect(reachableBy(join(dir, "f"), 1777, 1777)).toBe(true);
    chmodSync(dir, 0o744);
    expect(searchableBy(dir, 1777, 1777)).toBe(false);
    expect(reachableBy(join(dir, "f"), 1777, 1777)).toBe(false);
    chmodSync(dir, 0o755);
    expect(reachableBy(dir, 1777, 1777)).toBe(true);
    expect(searchableBy(join(base, "missing", "deeper"), 1777, 1777)).toBe(false);
  });

  it("names the sandbox uid in passwd and group, replacing any entry that had its id", () => {
    const view = new ToolView(join(base, "identity-cache"), 65534, 65534);
    const [passwd, group] = view.identityFiles();
    expect(passwd).toEqual({ source: join(base, "identity-cache", "passwd-65534"), dest: "/etc/passwd" });
    expect(group).toEqual({ source: join(base, "identity-cache", "group-65534"), dest: "/etc/group" });
    const passwdLines = readFileSync(passwd!.source, "utf8").split("\n");
    expect(passwdLines.at(-1)).toBe("");
    expect(passwdLines.at(-2)).toBe("nightshift:x:65534:65534:Nightshift sandbox:/nonexistent:/bin/sh");
    expect(passwdLines.filter((line) => line.split(":")[2] === "65534")).toHaveLength(1);
    expect(passwdLines).toContain(readFileSync("/etc/passwd", "utf8").split("\n")[0]);
    expect(passwdLines.slice(0, -1).every((line) => line.trim() !== "")).toBe(true);
    const groupLines = readFileSync(group!.source, "utf8").split("\n");
    expect(groupLines.at(-2)).toBe("nightshift:x:65534:");
    expect(groupLines.filter((line) => line.split(":")[2] === "65534")).toHaveLength(1);
    expect(statSync(passwd!.source).mode & 0o777).toBe(0o644);
  });

  it("copies a tree it cannot hard-link (another file system), with the top directory opened up", async () => {
    const tree = join(base, "private-tools");
    mkdirSync(join(tree, "bin"), { recursive: true, mode: 0o700 });
    chmodSync(tree, 0o700);
    writeFileSync(join(tree, "bin", "tool"), "#!/bin/sh\n", { mode: 0o755 });
    const cache = mkdtempSync("/dev/shm/ns-toolview-cache-");
    try {
      expect(statSync("/dev/shm").dev).not.toBe(statSync(base).dev);
      const [bind] = await new ToolView(cache, 1777, 1777).binds([tree]);
      expect(bind?.dest).toBe(tree);
      expect(bind?.source).toMatch(new RegExp(`^${cache}/[0-9a-f]{12}-[0-9a-f]{16}/tree$`));
      const staged = join(bind!.source, "bin", "tool");
      expect(readFileSync(staged, "utf8")).toBe("#!/bin/sh\n");
      expect(statSync(staged).ino).not.toBe(statSync(join(tree, "bin", "tool")).ino);
      expect(statSync(bind!.source).mode & 0o777).toBe(0o755);
      expect(readFileSync(join(bind!.source, "..", ".complete"), "utf8")).toBe(`${tree}\n`);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it("says which tree it could not stage, and tries again next time rather than caching the failure", async () => {
    const cache = join(base, "failing-cache");
    const view = new ToolView(cache, 1777, 1777);
    const later = join(base, "hidden", "later");
    mkdirSync(join(base, "hidden"), { mode: 0o700 });
    chmodSync(join(base, "hidden"), 0o700);
    await expect(view.binds([later])).rejects.toThrow(`cannot stage ${later} for the sandbox uid: `);
    mkdirSync(later);
    const [bind] = await view.binds([later]);
    expect(bind?.source.startsWith(cache)).toBe(true);
  });

  it("stages a tree once for sandboxes starting together, and keeps other trees' stagings", async () => {
    const cache = join(base, "shared-cache");
    const one = join(base, "hidden-one");
    const two = join(base, "hidden-two");
    for (const dir of [one, two]) {
      mkdirSync(dir, { mode: 0o700 });
      chmodSync(dir, 0o700);
      writeFileSync(join(dir, "file"), dir);
    }
    const view = new ToolView(cache, 1777, 1777);
    const [a, b] = await Promise.all([view.binds([one]), view.binds([one])]);
    expect(a[0]?.source).toBe(b[0]?.source);
    const [other] = await view.binds([two]);
    expect(statSync(a[0]!.source).isDirectory()).toBe(true);
    expect(statSync(other!.source).isDirectory()).toBe(true);
  });
});
