/**
 * Lists the git repositories directly under the repositories root, for the dashboard's picker:
 * working trees (with .git) and bare repositories, with the branch HEAD points at. Names that a
 * RepoRef could not carry (dot-dirs, odd characters) are skipped, so every entry is usable.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { LocalRepository } from "@nightshift/protocol";

const USABLE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const MAX_REPOSITORIES = 500;

function gitDirOf(dir: string): string | null {
  const dotGit = join(dir, ".git");
  if (existsSync(dotGit)) return statSync(dotGit).isDirectory() ? dotGit : null;
  return existsSync(join(dir, "HEAD")) && existsSync(join(dir, "objects")) ? dir : null;
}

function branchOf(gitDir: string): string | null {
  try {
    const head = readFileSync(join(gitDir, "HEAD"), "utf8").trim();
    return /^ref: refs\/heads\/(.+)$/.exec(head)?.[1] ?? null;
  } catch {
    return null;
  }
}

export function listLocalRepositories(reposRoot: string | undefined): LocalRepository[] {
  if (!reposRoot || !existsSync(reposRoot)) return [];
  const out: LocalRepository[] = [];
  for (const entry of readdirSync(reposRoot, { withFileTypes: true })) {
    if (!entry.isDirectory() || !USABLE_NAME.test(entry.name)) continue;
    const gitDir = gitDirOf(join(reposRoot, entry.name));
    if (!gitDir) continue;
    out.push({ path: entry.name, defaultBranch: branchOf(gitDir) });
    if (out.length >= MAX_REPOSITORIES) break;
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}
