import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isSessionBranch, RepoMirror } from "./repo-mirror";

const BRANCH = "nightshift/edge-ab12cd34";
let base: string;
let synced: string[];
let failures: string[];

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=T", "-c", "user.email=t@example.com", ...args], {
    cwd,
    encoding: "utf8",
  }).trim();

function devRepo(name: string, ...initArgs: string[]): string {
  const dev = join(base, name);
  mkdirSync(dev);
  git(dev, "init", "-q", "-b", "main", ...initArgs);
  writeFileSync(join(dev, "README.md"), "dev\n");
  git(dev, "add", "-A");
  git(dev, "commit", "-q", "-m", "init");
  return dev;
}

function mirrorOf(dev: string, name = "repo.git"): Promise<RepoMirror> {
  return RepoMirror.create({
    devGitDir: join(dev, ".git"),
    path: join(base, "sandbox", name),
    branch: BRANCH,
    events: { synced: (b) => synced.push(b), failed: (reason) => failures.push(reason) },
  });
}

function pushFromSandbox(mirror: RepoMirror, file: string): string {
  const work = join(base, `work-${file}`);
  git(base, "clone", "-q", mirror.path, work);
  git(work, "checkout", "-q", "-b", BRANCH);
  writeFileSync(join(work, file), `${file}\n`);
  git(work, "add", "-A");
  git(work, "commit", "-q", "-m", file);
  git(work, "push", "-q", "origin", `HEAD:refs/heads/${BRANCH}`);
  return git(work, "rev-parse", "HEAD");
}

beforeEach(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), "ns-mirror-edges-")));
  synced = [];
  failures = [];
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

// Real git on a shared machine: each case runs several git commands.
describe("RepoMirror edges", { timeout: 60_000 }, () => {
  it("writes the host's own minimal config and a watched branch directory when it is made", async () => {
    const mirror = await mirrorOf(devRepo("dev"));
    expect(readFileSync(join(mirror.path, "config"), "utf8")).toBe(
      "[core]\n\trepositoryformatversion = 0\n\tbare = true\n",
    );
    expect(statSync(join(mirror.path, "refs", "heads", "nightshift")).isDirectory()).toBe(true);
    expect(existsSync(join(mirror.path, "hooks"))).toBe(false);
    await mirror.close();
  });

  it("keeps a sha256 repository's object format, so its branch still comes home", async () => {
    const dev = devRepo("dev256", "--object-format=sha256");
    const mirror = await mirrorOf(dev);
    expect(readFileSync(join(mirror.path, "config"), "utf8")).toBe(
      "[core]\n\trepositoryformatversion = 1\n\tbare = true\n[extensions]\n\tobjectformat = sha256\n",
    );
    const sha = pushFromSandbox(mirror, "one.txt");
    await mirror.close();
    expect(git(dev, "rev-parse", BRANCH)).toBe(sha);
    expect(sha).toHaveLength(64);
    expect(failures).toEqual([]);
    expect(synced).toEqual([BRANCH]);
  });

  it("says why a repository cannot be mirrored", async () => {
    await expect(
      RepoMirror.create({
        devGitDir: join(base, "no-such-repo"),
        path: join(base, "sandbox", "repo.git"),
        branch: BRANCH,
        events: { synced: () => {}, failed: () => {} },
      }),
    ).rejects.toThrow(/^cannot mirror the repository: .+/);
  });

  it("ends quietly when the sandbox never pushed its branch", async () => {
    const mirror = await mirrorOf(devRepo("dev"));
    await mirror.close();
    expect(failures).toEqual([]);
    expect(synced).toEqual([]);
  });

  it("brings the branch home once however often it is closed", async () => {
    const mirror = await mirrorOf(devRepo("dev"));
    pushFromSandbox(mirror, "one.txt");
    await Promise.all([mirror.close(), mirror.close()]);
    await mirror.close();
    expect(synced).toEqual([BRANCH]);
  });

  it("names a rejected fetch and the branch it was for", async () => {
    const dev = devRepo("dev");
    const mirror = await mirrorOf(dev);
    pushFromSandbox(mirror, "one.txt");
    // The developer's branch moved on its own: the mirror's commit is not a fast-forward of it.
    git(dev, "checkout", "-q", "-b", BRANCH);
    writeFileSync(join(dev, "local.txt"), "local\n");
    git(dev, "add", "-A");
    git(dev, "commit", "-q", "-m", "local");
    git(dev, "checkout", "-q", "main");
    await mirror.close();
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(
      /^fetching nightshift\/edge-ab12cd34 into the repository failed: .*(rejected|non-fast-forward)/s,
    );
  });

  it("refuses to fetch from a mirror whose refs or objects/info were replaced by a file", async () => {
    const mirror = await mirrorOf(devRepo("dev"));
    pushFromSandbox(mirror, "one.txt");
    rmSync(join(mirror.path, "objects", "info"), { recursive: true, force: true });
    writeFileSync(join(mirror.path, "objects", "info"), "not a directory");
    await mirror.close();
    expect(failures).toEqual([
      "the sandbox's mirror was tampered with; not fetched (objects/info is not a directory)",
    ]);

    const dev2 = devRepo("dev2");
    const second = await mirrorOf(dev2, "second.git");
    rmSync(join(second.path, "refs"), { recursive: true, force: true });
    writeFileSync(join(second.path, "refs"), "x");
    await second.close();
    expect(failures.at(-1)).toBe(
      "the sandbox's mirror was tampered with; not fetched (the mirror's refs is not a directory)",
    );
    expect(synced).toEqual([]);
  });

  it("a push reported by the git service is brought home without waiting for close", async () => {
    const dev = devRepo("dev");
    const mirror = await mirrorOf(dev);
    const sha = pushFromSandbox(mirror, "one.txt");
    mirror.refsChanged();
    await waitFor(() => synced.length > 0, "the sync after the reported push", 25_000);
    expect(synced).toEqual([BRANCH]);
    expect(git(dev, "rev-parse", BRANCH)).toBe(sha);
    await mirror.close();
  });
});

describe("isSessionBranch, edges", () => {
  it("refuses lock files, empty or trailing segments, dot starts, odd characters and long names", () => {
    for (const ok of [
      "nightshift/a.lockx",
      "nightshift/_x",
      "nightshift/a.b-c_d/e",
      `nightshift/${"a".repeat(201)}`,
    ])
      expect(isSessionBranch(ok), ok).toBe(true);
    for (const bad of [
      "nightshift/a/x.lock/b",
      "nightshift/a/",
      "nightshift/a//b",
      "nightshift/a..b",
      "nightshift/.hidden",
      "nightshift/a b",
      "nightshift/a~1",
      "xnightshift/a",
      "nightshift/a\n",
      `nightshift/${"a".repeat(202)}`,
    ])
      expect(isSessionBranch(bad), JSON.stringify(bad)).toBe(false);
  });
});
