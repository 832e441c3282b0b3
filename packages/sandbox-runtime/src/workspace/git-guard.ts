/**
 * Puts the clone's git directory back into a state the runtime chose, before each of the
 * runtime's own git commands. Those run between turns, when no agent process is alive, so what
 * the agent planted in `.git` during the turn is undone before git reads it:
 * - `.git` must be a real directory (a `gitdir:` file or a symlink would point git elsewhere);
 * - `config` is replaced by a canonical one: core settings, the object format, and `origin` =
 *   the session's repository — no hooks path, fsmonitor, includes, url rewrites, filters,
 *   credential helpers or anything else the agent added;
 * - files that make git read config or objects from somewhere else (`commondir`,
 *   `config.worktree`, object alternates) are removed.
 */
import { lstatSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export type GuardResult = { ok: true; gitDir: string } | { ok: false; reason: string };

/** Planted files that redirect where git reads config or objects from. */
const REDIRECTING_FILES = ["commondir", "config.worktree", join("objects", "info", "alternates")];

/** A config value in double quotes (the URL may hold `;`, `#` or spaces). */
function quoted(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** sha256 repositories need their object format kept; the value is taken only when it is one git knows. */
function objectFormatOf(configText: string): "sha1" | "sha256" {
  return /^\s*objectformat\s*=\s*sha256\s*$/im.test(configText) ? "sha256" : "sha1";
}

export function canonicalConfig(repoUrl: string, objectFormat: "sha1" | "sha256"): string {
  const lines = [
    "[core]",
    `\trepositoryformatversion = ${objectFormat === "sha256" ? 1 : 0}`,
    "\tfilemode = true",
    "\tbare = false",
    "\tlogallrefupdates = true",
  ];
  if (objectFormat === "sha256") lines.push("[extensions]", "\tobjectformat = sha256");
  lines.push(
    '[remote "origin"]',
    `\turl = ${quoted(repoUrl)}`,
    "\tfetch = +refs/heads/*:refs/remotes/origin/*",
  );
  return `${lines.join("\n")}\n`;
}

function readIfFile(path: string): string {
  try {
    return lstatSync(path).isFile() ? readFileSync(path, "utf8") : "";
  } catch {
    return "";
  }
}

/** Resets `<workdir>/.git` as described above; refuses a `.git` that is not a plain directory. */
export function guardGitDir(workdir: string, repoUrl: string): GuardResult {
  if (/[\n\r\0]/.test(repoUrl)) return { ok: false, reason: "the repository URL contains a line break" };
  const gitDir = join(workdir, ".git");
  let isDirectory = false;
  try {
    isDirectory = lstatSync(gitDir).isDirectory();
  } catch {
    return { ok: false, reason: `${gitDir} does not exist` };
  }
  if (!isDirectory) {
    return {
      ok: false,
      reason: `${gitDir} is not a directory (a file or symlink there would point git at another repository); refusing to run git in it`,
    };
  }
  try {
    const config = join(gitDir, "config");
    const format = objectFormatOf(readIfFile(config));
    // Written aside and renamed over: a symlink planted at `config` is replaced, never followed.
    const fresh = join(gitDir, `config.nightshift-${process.pid}`);
    rmSync(fresh, { force: true, recursive: true });
    writeFileSync(fresh, canonicalConfig(repoUrl, format), { mode: 0o644, flag: "wx" });
    rmSync(config, { force: true, recursive: true });
    renameSync(fresh, config);
    for (const file of REDIRECTING_FILES) rmSync(join(gitDir, file), { force: true, recursive: true });
  } catch (error) {
    return { ok: false, reason: `cannot reset ${gitDir}: ${(error as Error).message}` };
  }
  return { ok: true, gitDir };
}
