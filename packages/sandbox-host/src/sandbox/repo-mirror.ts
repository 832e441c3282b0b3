/**
 * A local repository reaches a sandbox only as a bare mirror the host owns: cloned from the
 * developer's repository into the sandbox's directory (never bound into the sandbox) and served
 * over git smart HTTP to the control plane's git proxy (git-service.ts), which checks the branch
 * policy before a push lands here. The developer's repository is never bound either; it receives
 * the session branch by a fetch the host runs (hardened-git.ts) when the mirror's refs change and
 * once more when the sandbox ends. Before each fetch the host still removes what could act on git
 * outside (config, hooks, alternates, commondir, worktrees) and refuses a mirror whose refs or
 * objects became symlinks: a push is data from a sandbox, and this costs nothing.
 */
import { type FSWatcher, lstatSync, mkdirSync, readFileSync, rmSync, watch, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { hardenedGit, hardenedUploadPack } from "./hardened-git";

/** Session branches the developer's repository accepts from a sandbox (the control plane names them so). */
const SESSION_BRANCH = /^nightshift\/(?!.*\.\.)(?!.*\.lock(\/|$))[A-Za-z0-9_][A-Za-z0-9._/-]{0,200}$/;
const PLANTABLE = [
  "hooks",
  "commondir",
  "gitdir",
  "worktrees",
  "objects/info/alternates",
  "objects/info/http-alternates",
  "info",
];
const SYNC_DEBOUNCE_MS = 50;
/** A sandbox touching its mirror in a loop gets at most this many fetches a second out of the host. */
const MIN_SYNC_INTERVAL_MS = 500;

export function isSessionBranch(branch: string): boolean {
  return SESSION_BRANCH.test(branch) && !branch.endsWith("/") && !branch.includes("//");
}

export interface MirrorEvents {
  synced(branch: string): void;
  failed(reason: string): void;
}

export class RepoMirror {
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  /** A sync is queued behind the running one: further changes ride on it. */
  private queued = false;
  private lastSyncAt = 0;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly devGitDir: string,
    private readonly branch: string,
    private readonly config: string,
    private readonly events: MirrorEvents,
  ) {}

  /** Clones `devGitDir` (a worktree's .git or a bare repository) into a new bare mirror at `path`. */
  static async create(options: {
    devGitDir: string;
    path: string;
    branch: string;
    events: MirrorEvents;
  }): Promise<RepoMirror> {
    // --no-hardlinks: the sandbox may write the mirror's files, which must not be the developer's inodes.
    const clone = await hardenedGit([
      "clone",
      "--quiet",
      "--bare",
      "--no-hardlinks",
      options.devGitDir,
      options.path,
    ]);
    if (!clone.ok) throw new Error(`cannot mirror the repository: ${clone.stderr.slice(0, 300)}`);
    // The clone's config came from the developer's repository: it says whether objects are sha256.
    const cloned = readFileSync(join(options.path, "config"), "utf8");
    const objectFormat = /^\s*objectformat\s*=\s*sha256\s*$/im.test(cloned) ? "sha256" : "sha1";
    const config = [
      "[core]",
      `\trepositoryformatversion = ${objectFormat === "sha1" ? 0 : 1}`,
      "\tbare = true",
      ...(objectFormat === "sha1" ? [] : ["[extensions]", `\tobjectformat = ${objectFormat}`]),
      "",
    ].join("\n");
    const mirror = new RepoMirror(options.path, options.devGitDir, options.branch, config, options.events);
    mirror.neutralise();
    // Made by the host so it can be watched before the first push creates the branch's ref.
    mkdirSync(join(options.path, "refs", "heads", dirname(options.branch)), { recursive: true });
    mirror.watchRefs();
    return mirror;
  }

  /** Stops watching and brings the branch home one last time (the sandbox has ended: nothing races it). */
  async close(): Promise<void> {
    if (this.closed) return this.running;
    this.closed = true;
    for (const watcher of this.watchers) watcher.close();
    this.watchers = [];
    if (this.timer) clearTimeout(this.timer);
    this.running = this.running.then(() => this.sync());
    return this.running;
  }

  /** A push through the git service landed: bring the branch home (debounced like a watched change). */
  refsChanged(): void {
    this.schedule();
  }

  private watchRefs(): void {
    const dirs = [this.path, join(this.path, "refs", "heads", dirname(this.branch))];
    for (const dir of dirs) {
      try {
        const watcher = watch(dir, { persistent: false }, () => this.schedule());
        watcher.on("error", () => watcher.close());
        this.watchers.push(watcher);
      } catch {
        // Replaced by the sandbox: the final sync at the end still brings the branch home.
      }
    }
  }

  private schedule(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.queueSync();
    }, SYNC_DEBOUNCE_MS);
    this.timer.unref();
  }

  private queueSync(): void {
    if (this.queued) return;
    this.queued = true;
    this.running = this.running.then(async () => {
      const wait = this.lastSyncAt + MIN_SYNC_INTERVAL_MS - Date.now();
      if (wait > 0 && !this.closed) await new Promise((resolve) => setTimeout(resolve, wait));
      this.queued = false;
      if (this.closed) return; // close() runs the last sync itself
      this.lastSyncAt = Date.now();
      await this.sync();
    });
  }

  /** Removes what could act on the host's git and writes the host's own config again. */
  private neutralise(): void {
    for (const name of ["config", ...PLANTABLE]) removeInside(this.path, name);
    // "wx": created anew, never written through a link the sandbox put there in between.
    writeFileSync(join(this.path, "config"), this.config, { flag: "wx", mode: 0o644 });
  }

  private async sync(): Promise<void> {
    try {
      for (const name of ["refs", "objects"]) {
        if (!lstatSync(join(this.path, name)).isDirectory())
          throw new Error(`the mirror's ${name} is not a directory`);
      }
      this.neutralise();
    } catch (err) {
      this.events.failed(`the sandbox's mirror was tampered with; not fetched (${(err as Error).message})`);
      return;
    }
    const ref = `refs/heads/${this.branch}`;
    const fetch = await hardenedGit(
      [
        "--git-dir",
        this.devGitDir,
        "fetch",
        "--no-tags",
        "--no-write-fetch-head",
        "--no-auto-gc",
        "--no-recurse-submodules",
        `--upload-pack=${hardenedUploadPack([this.path])}`,
        this.path,
        // Not forced: the runtime only fast-forwards its branch, so a stale mirror (a superseded
        // sandbox's last sync) or a sandbox that rewrote its ref cannot rewind the developer's branch.
        `${ref}:${ref}`,
      ],
      { trustedPaths: [this.path] },
    );
    if (fetch.ok) this.events.synced(this.branch);
    else if (!/couldn't find remote ref/i.test(fetch.stderr))
      this.events.failed(`fetching ${this.branch} into the repository failed: ${fetch.stderr.slice(-300)}`);
  }
}

/** rm -rf `relative` under `root`, refusing to pass through a symlink on the way (never deletes outside). */
function removeInside(root: string, relative: string): void {
  const parts = relative.split("/");
  let dir = root;
  for (const part of parts.slice(0, -1)) {
    dir = join(dir, part);
    let isDir: boolean;
    try {
      isDir = lstatSync(dir).isDirectory();
    } catch {
      return; // a missing parent: nothing to remove
    }
    if (!isDir) throw new Error(`${relative.split("/").slice(0, -1).join("/")} is not a directory`);
  }
  rmSync(join(root, relative), { recursive: true, force: true });
}
