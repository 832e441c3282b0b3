/**
 * Bare git repositories on disk behind the double: created with a first commit on the default
 * branch, and read back (branch heads, commit messages, files) so tests can see what was pushed.
 * Git runs with no global or system config so the host's settings cannot change the results.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Typed loosely on purpose: packages that augment NodeJS.ProcessEnv (Worker bindings) compile this file too. */
export const GIT_ENV: Record<string, string> = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: tmpdir(),
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "GitHub Double",
  GIT_AUTHOR_EMAIL: "double@github.invalid",
  GIT_COMMITTER_NAME: "GitHub Double",
  GIT_COMMITTER_EMAIL: "double@github.invalid",
  GIT_TERMINAL_PROMPT: "0",
};

export async function git(args: string[], cwd?: string): Promise<string> {
  const { stdout } = await run("git", args, {
    cwd,
    env: GIT_ENV as NodeJS.ProcessEnv,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

/** Creates `<root>/<owner>/<name>.git` with one commit holding `files` on `branch`. */
export async function createBareRepo(
  root: string,
  owner: string,
  name: string,
  branch: string,
  files: Record<string, string>,
): Promise<string> {
  const gitDir = join(root, owner, `${name}.git`);
  await mkdir(dirname(gitDir), { recursive: true });
  await git(["init", "--quiet", "--bare", `--initial-branch=${branch}`, gitDir]);
  const work = await mkdtemp(join(tmpdir(), "gh-double-seed-"));
  try {
    await git(["init", "--quiet", `--initial-branch=${branch}`, work]);
    const seed = Object.keys(files).length > 0 ? files : { "README.md": `# ${name}\n` };
    for (const [path, content] of Object.entries(seed)) {
      await mkdir(dirname(join(work, path)), { recursive: true });
      await writeFile(join(work, path), content);
    }
    await git(["add", "--all"], work);
    await git(["commit", "--quiet", "-m", "Initial commit"], work);
    await git(["push", "--quiet", gitDir, `HEAD:refs/heads/${branch}`], work);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return gitDir;
}

/** The commit a branch points at, or null when the branch does not exist. */
export async function branchHead(gitDir: string, branch: string): Promise<string | null> {
  try {
    return (await git(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}^{commit}`], gitDir)).trim();
  } catch {
    return null;
  }
}

/** Commit subjects on `branch`, newest first. */
export async function commitSubjects(gitDir: string, branch: string): Promise<string[]> {
  const out = await git(["log", "--format=%s", `refs/heads/${branch}`], gitDir);
  return out.split("\n").filter((l) => l !== "");
}

export async function readFileAt(gitDir: string, branch: string, path: string): Promise<string | null> {
  try {
    return await git(["show", `refs/heads/${branch}:${path}`], gitDir);
  } catch {
    return null;
  }
}

/** How many commits `head` has that `base` lacks (0 means GitHub's "No commits between"). */
export async function commitsAhead(gitDir: string, base: string, head: string): Promise<number> {
  const out = await git(["rev-list", "--count", `refs/heads/${base}..refs/heads/${head}`], gitDir);
  return Number(out.trim());
}

/** Commits `files` on top of `from` and stores the result as `branch` (what a client's push would do). */
export async function commitOnBranch(
  gitDir: string,
  from: string,
  branch: string,
  files: Record<string, string>,
  message: string,
): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), "gh-double-branch-"));
  try {
    await git(["clone", "--quiet", "--branch", from, gitDir, work]);
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(work, path)), { recursive: true });
      await writeFile(join(work, path), content);
    }
    await git(["add", "--all"], work);
    await git(["commit", "--quiet", "--allow-empty", "-m", message], work);
    await git(["push", "--quiet", "--force", "origin", `HEAD:refs/heads/${branch}`], work);
    return (await git(["rev-parse", "HEAD"], work)).trim();
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
