/**
 * What a sandbox uid sees of the host's tools. When the host runs as root it drops every sandbox
 * to an unprivileged uid, and bwrap then opens its bind sources as that uid: Node, the runtime
 * and the agent CLIs inside a checkout under a root-private directory (a CI clone under
 * `mktemp -d`, a home directory with mode 0700) are out of its reach. Such a tool tree is staged
 * once as hard links (a copy across file systems) under a world-readable cache and bound at its
 * original path, so every path inside the sandbox stays the same. The sandbox uid also gets a
 * passwd and group entry of its own: tools ask getpwuid() who they are and fail without one.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A read-only bind: `source` on the host appears at `dest` inside the sandbox. */
export interface ReadOnlyBind {
  source: string;
  dest: string;
}

type Bits = { owner: number; group: number; other: number };
const SEARCH: Bits = { owner: 0o100, group: 0o010, other: 0o001 };

function allows(target: string, uid: number, gid: number, bits: Bits): boolean {
  const st = statSync(target, { throwIfNoEntry: false });
  if (!st) return false;
  if (st.uid === uid) return (st.mode & bits.owner) === bits.owner;
  if (st.gid === gid) return (st.mode & bits.group) === bits.group;
  return (st.mode & bits.other) === bits.other;
}

/** True when `uid`/`gid` may search every directory from / down to `dir` itself (mode bits only). */
export function searchableBy(dir: string, uid: number, gid: number): boolean {
  for (let d = dir; ; d = dirname(d)) {
    if (!allows(d, uid, gid, SEARCH)) return false;
    if (d === dirname(d)) return true;
  }
}

/** True when `uid`/`gid` may search every directory down to `path` and read `path` itself. */
export function reachableBy(path: string, uid: number, gid: number): boolean {
  if (!searchableBy(dirname(path), uid, gid)) return false;
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return false;
  const read: Bits = st.isDirectory()
    ? { owner: 0o500, group: 0o050, other: 0o005 }
    : { owner: 0o400, group: 0o040, other: 0o004 };
  return allows(path, uid, gid, read);
}

/**
 * Changes when the tree's content changes in the ways that matter here (a rebuilt runtime bundle,
 * a reinstalled package, another Node): the names, sizes and times of its first two levels.
 */
function fingerprint(dir: string): string {
  const hash = createHash("sha256").update(dir);
  const walk = (path: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(path).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const child = join(path, name);
      const st = statSync(child, { throwIfNoEntry: false });
      if (!st) continue;
      hash.update(`${child}\0${st.size}\0${st.mtimeMs}\0`);
      if (depth > 1 && st.isDirectory()) walk(child, depth - 1);
    }
  };
  walk(dir, 2);
  return hash.digest("hex").slice(0, 16);
}

const dirKey = (dir: string) => createHash("sha256").update(dir).digest("hex").slice(0, 12);

async function copyTree(source: string, target: string): Promise<void> {
  try {
    await run("cp", ["-al", "--", source, target], { timeout: 120_000 });
  } catch {
    // Hard links need one file system; a plain copy is slower but works anywhere.
    rmSync(target, { recursive: true, force: true });
    await run("cp", ["-a", "--", source, target], { timeout: 600_000 });
  }
}

/** Stages trees into `cacheRoot` (reused across sandboxes and host restarts until they change). */
export class ToolView {
  private readonly staged = new Map<string, Promise<string>>();

  constructor(
    private readonly cacheRoot: string,
    private readonly uid: number,
    private readonly gid: number,
  ) {}

  /** The binds that show `dirs` to the sandbox uid at their own paths. */
  async binds(dirs: readonly string[]): Promise<ReadOnlyBind[]> {
    return Promise.all(
      dirs.map(async (dir) =>
        reachableBy(dir, this.uid, this.gid)
          ? { source: dir, dest: dir }
          : { source: await this.stage(dir), dest: dir },
      ),
    );
  }

  /** passwd and group files that name the sandbox uid (bound over /etc/passwd and /etc/group). */
  identityFiles(): ReadOnlyBind[] {
    mkdirSync(this.cacheRoot, { recursive: true, mode: 0o755 });
    const entry = (file: string, line: string) => {
      const kept = existsSync(file)
        ? readFileSync(file, "utf8")
            .split("\n")
            .filter((l) => l.trim() !== "" && l.split(":")[2] !== String(this.uid))
        : [];
      const target = join(this.cacheRoot, `${file.split("/").pop()}-${this.uid}`);
      const temp = `${target}.${process.pid}.tmp`;
      writeFileSync(temp, `${[...kept, line].join("\n")}\n`, { mode: 0o644 });
      renameSync(temp, target);
      return { source: target, dest: file };
    };
    return [
      entry("/etc/passwd", `nightshift:x:${this.uid}:${this.gid}:Nightshift sandbox:/nonexistent:/bin/sh`),
      entry("/etc/group", `nightshift:x:${this.gid}:`),
    ];
  }

  private stage(dir: string): Promise<string> {
    const key = `${dirKey(dir)}-${fingerprint(dir)}`;
    let pending = this.staged.get(key);
    if (!pending) {
      pending = this.stageOnce(dir, key);
      // A failed staging is not cached: the next sandbox tries again.
      pending.catch(() => this.staged.delete(key));
      this.staged.set(key, pending);
    }
    return pending;
  }

  private async stageOnce(dir: string, key: string): Promise<string> {
    mkdirSync(this.cacheRoot, { recursive: true, mode: 0o755 });
    const target = join(this.cacheRoot, key);
    if (existsSync(join(target, ".complete"))) return join(target, "tree");
    const temp = join(this.cacheRoot, `.${key}.${process.pid}.${Date.now()}`);
    mkdirSync(temp, { mode: 0o755 });
    try {
      await copyTree(dir, join(temp, "tree"));
      // The copy keeps the original's mode; a private top directory is what made it unreachable.
      chmodSync(join(temp, "tree"), 0o755);
      writeFileSync(join(temp, ".complete"), `${dir}\n`);
      rmSync(target, { recursive: true, force: true });
      renameSync(temp, target);
    } catch (err) {
      rmSync(temp, { recursive: true, force: true });
      if (existsSync(join(target, ".complete"))) return join(target, "tree"); // another host won the race
      throw new Error(`cannot stage ${dir} for the sandbox uid: ${(err as Error).message}`);
    }
    this.forgetOlder(dir, key);
    return join(target, "tree");
  }

  /** Older stagings of the same tree; sandboxes already running keep their mounts. */
  private forgetOlder(dir: string, key: string): void {
    const prefix = `${dirKey(dir)}-`;
    for (const name of readdirSync(this.cacheRoot)) {
      if (name.startsWith(prefix) && name !== key)
        rmSync(join(this.cacheRoot, name), { recursive: true, force: true });
    }
  }
}
