/** Temporary git repositories for tests: a bare "origin" seeded with one commit. */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_SYSTEM: "/dev/null" },
  }).trim();
}

export interface SeededRepo {
  root: string;
  /** A bare repository with branch main and one commit. */
  origin: string;
}

/** Creates <root>/origin.git seeded from a scratch worktree with the given files. */
export function seedRepo(files: Record<string, string> = { "README.md": "hello\n" }): SeededRepo {
  const root = mkdtempSync(join(tmpdir(), "ns-runtime-git-"));
  const seed = join(root, "seed");
  mkdirSync(seed);
  git(seed, "init", "-q", "-b", "main");
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(seed, path, ".."), { recursive: true });
    writeFileSync(join(seed, path), text);
  }
  git(seed, "add", "-A");
  git(seed, "-c", "user.name=Seed", "-c", "user.email=seed@example.com", "commit", "-q", "-m", "seed");
  const origin = join(root, "origin.git");
  git(root, "clone", "-q", "--bare", seed, origin);
  return { root, origin };
}
