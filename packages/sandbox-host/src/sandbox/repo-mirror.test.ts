import { execFileSync } from "node:child_process";
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isSessionBranch, RepoMirror } from "./repo-mirror";

const BRANCH = "nightshift/fix-tests-ab12cd34";
let base: string;
let dev: string;
let synced: string[];
let failures: string[];

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=T", "-c", "user.email=t@example.com", ...args], {
    cwd,
    encoding: "utf8",
  }).trim();

beforeEach(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), "ns-mirror-")));
  dev = join(base, "dev");
  mkdirSync(dev);
  git(dev, "init", "-q", "-b", "main");
  writeFileSync(join(dev, "README.md"), "dev\n");
  git(dev, "add", "-A");
  git(dev, "commit", "-q", "-m", "init");
  synced = [];
  failures = [];
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

function mirrorOf(): Promise<RepoMirror> {
  return RepoMirror.create({
    devGitDir: join(dev, ".git"),
    path: join(base, "sandbox", "repo.git"),
    branch: BRANCH,
    events: { synced: (b) => synced.push(b), failed: (reason) => failures.push(reason) },
  });
}

/** What the runtime does inside the sandbox: clone the mirror, commit on the session branch, push. */
function pushFromSandbox(mirror: RepoMirror, file: string): string {
  const work = join(base, `work-${file}`);
  git(base, "clone", "-q", mirror.path, work);
  git(work, "checkout", "-q", "-B", BRANCH, ...(branchExists(mirror.path) ? [`origin/${BRANCH}`] : []));
  writeFileSync(join(work, file), `${file}\n`);
  git(work, "add", "-A");
  git(work, "commit", "-q", "-m", file);
  git(work, "push", "-q", "origin", `HEAD:refs/heads/${BRANCH}`);
  return git(work, "rev-parse", "HEAD");
}

function branchExists(gitDir: string): boolean {
  try {
    execFileSync("git", ["--git-dir", gitDir, "rev-parse", "--verify", "--quiet", `refs/heads/${BRANCH}`]);
    return true;
  } catch {
    return false;
  }
}

describe("RepoMirror", () => {
  it("brings a pushed session branch into the developer's repository soon after the push", async () => {
    const mirror = await mirrorOf();
    const sha = pushFromSandbox(mirror, "one.txt");
    await waitFor(() => branchExists(join(dev, ".git")), "the branch in the developer's repository");
    expect(git(dev, "rev-parse", BRANCH)).toBe(sha);
    const second = pushFromSandbox(mirror, "two.txt");
    await mirror.close();
    expect(git(dev, "rev-parse", BRANCH)).toBe(second);
    expect(synced).toContain(BRANCH);
    expect(failures).toEqual([]);
  });

  it("what the sandbox plants in its mirror (config, hooks, alternates) never runs or lands on the host", async () => {
    const mirror = await mirrorOf();
    pushFromSandbox(mirror, "one.txt");
    const marker = join(base, "planted-ran");
    const script = join(mirror.path, "hooks", "evil");
    mkdirSync(join(mirror.path, "hooks"), { recursive: true });
    writeFileSync(script, `#!/bin/sh\necho ran >> '${marker}'\n`);
    chmodSync(script, 0o755);
    for (const hook of ["post-update", "reference-transaction", "pre-upload-pack"])
      writeFileSync(join(mirror.path, "hooks", hook), `#!/bin/sh\n'${script}'\n`, { mode: 0o755 });
    appendFileSync(
      join(mirror.path, "config"),
      `[core]\n\tfsmonitor = ${script}\n\thooksPath = ${join(mirror.path, "hooks")}\n[uploadpack]\n\tpackObjectsHook = ${script}\n[include]\n\tpath = ${join(base, "included")}\n`,
    );
    writeFileSync(join(base, "included"), `[core]\n\tsshCommand = ${script}\n`);
    writeFileSync(join(mirror.path, "objects", "info", "alternates"), `${join(base, "elsewhere")}\n`);
    const sha = pushFromSandbox(mirror, "two.txt");
    rmSync(marker, { force: true }); // the sandbox's own push may run its own hooks, inside the sandbox
    await mirror.close();
    expect(git(dev, "rev-parse", BRANCH)).toBe(sha);
    git(dev, "status");
    git(dev, "checkout", "-q", BRANCH);
    expect(existsSync(marker)).toBe(false);
    expect(readFileSync(join(dev, ".git", "config"), "utf8")).not.toMatch(
      /fsmonitor|hooksPath|packObjectsHook|include/,
    );
    expect(readFileSync(join(mirror.path, "config"), "utf8")).not.toMatch(
      /fsmonitor|hooksPath|packObjectsHook|include/,
    );
    expect(existsSync(join(mirror.path, "hooks"))).toBe(false);
    expect(existsSync(join(mirror.path, "objects", "info", "alternates"))).toBe(false);
  });

  it("a mirror whose objects were swapped for a link is not fetched, and nothing outside it is deleted", async () => {
    const mirror = await mirrorOf();
    pushFromSandbox(mirror, "one.txt");
    const outside = join(base, "outside-info");
    mkdirSync(outside);
    writeFileSync(join(outside, "alternates"), "keep me\n");
    rmSync(join(mirror.path, "objects", "info"), { recursive: true, force: true });
    symlinkSync(outside, join(mirror.path, "objects", "info"));
    await mirror.close();
    expect(failures.join(" ")).toMatch(/tampered/);
    expect(readFileSync(join(outside, "alternates"), "utf8")).toBe("keep me\n");

    const second = await RepoMirror.create({
      devGitDir: join(dev, ".git"),
      path: join(base, "second", "repo.git"),
      branch: BRANCH,
      events: { synced: () => {}, failed: (reason) => failures.push(reason) },
    });
    renameSync(join(second.path, "objects"), join(base, "moved-objects"));
    symlinkSync(join(dev, ".git", "objects"), join(second.path, "objects"));
    await second.close();
    expect(failures.at(-1)).toMatch(/objects is not a directory/);
  });

  it("never rewinds the developer's branch to an older commit", async () => {
    const mirror = await mirrorOf();
    const first = pushFromSandbox(mirror, "one.txt");
    const second = pushFromSandbox(mirror, "two.txt");
    await waitFor(
      () => branchExists(join(dev, ".git")) && git(dev, "rev-parse", BRANCH) === second,
      "the sync",
    );
    // The sandbox rewrites its own ref back (or a stale mirror syncs late).
    writeFileSync(join(mirror.path, "refs", "heads", BRANCH), `${first}\n`);
    await mirror.close();
    expect(git(dev, "rev-parse", BRANCH)).toBe(second);
    expect(failures.join(" ")).toMatch(/non-fast-forward|rejected/);
  });

  it("a sandbox touching its mirror in a loop gets at most two fetches a second out of the host", async () => {
    const mirror = await mirrorOf();
    pushFromSandbox(mirror, "one.txt");
    await waitFor(() => synced.length > 0, "the first sync");
    const before = synced.length;
    const started = Date.now();
    for (let i = 0; Date.now() - started < 2_000; i++) {
      writeFileSync(join(mirror.path, `touch-${i % 5}`), String(i));
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    const elapsedS = (Date.now() - started) / 1000;
    await mirror.close();
    // The final sync at close is the one extra.
    expect(synced.length - before).toBeLessThanOrEqual(Math.ceil(elapsedS * 2) + 2);
  });

  it("accepts only plain nightshift/* branch names", () => {
    for (const ok of ["nightshift/fix-tests-ab12cd34", "nightshift/a/b", "nightshift/s1"])
      expect(isSessionBranch(ok), ok).toBe(true);
    for (const bad of [
      "main",
      "nightshift/",
      "nightshift/../main",
      "nightshift/x.lock",
      "nightshift//x",
      "refs/heads/x",
      "nightshift/-x",
    ])
      expect(isSessionBranch(bad), bad).toBe(false);
  });
});
