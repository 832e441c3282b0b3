import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { listLocalRepositories } from "./repo-catalog";

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("listLocalRepositories", () => {
  it("lists working trees and bare repositories with their branch, and nothing else", () => {
    root = mkdtempSync(join(tmpdir(), "ns-catalog-"));
    execFileSync("git", ["init", "-q", "-b", "main", join(root, "app")]);
    execFileSync("git", ["init", "-q", "--bare", "-b", "trunk", join(root, "mirror.git")]);
    mkdirSync(join(root, "plain"));
    mkdirSync(join(root, ".hidden"));
    writeFileSync(join(root, "file.txt"), "x");
    expect(listLocalRepositories(root)).toEqual([
      { path: "app", defaultBranch: "main" },
      { path: "mirror.git", defaultBranch: "trunk" },
    ]);
  });

  it("lists nothing without a root", () => {
    root = mkdtempSync(join(tmpdir(), "ns-catalog-"));
    expect(listLocalRepositories(undefined)).toEqual([]);
    expect(listLocalRepositories(join(root, "missing"))).toEqual([]);
  });

  it("skips unusable names and .git files, sorts by name and reports a detached HEAD as no branch", () => {
    root = mkdtempSync(join(tmpdir(), "ns-catalog-"));
    for (const name of ["zeta", "Alpha", "mid", "bad name", "-dash"])
      execFileSync("git", ["init", "-q", "-b", "main", join(root, name)]);
    execFileSync("git", ["-C", join(root, "mid"), "commit", "-q", "--allow-empty", "-m", "x"], {
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "t",
        GIT_AUTHOR_EMAIL: "t@t",
        GIT_COMMITTER_NAME: "t",
        GIT_COMMITTER_EMAIL: "t@t",
      },
    });
    execFileSync("git", ["-C", join(root, "mid"), "checkout", "-q", "--detach"]);
    // A linked worktree's .git is a file pointing elsewhere: not offered.
    mkdirSync(join(root, "linked"));
    writeFileSync(join(root, "linked", ".git"), "gitdir: /elsewhere\n");
    // Looks bare but has no objects: not a repository.
    mkdirSync(join(root, "headonly"));
    writeFileSync(join(root, "headonly", "HEAD"), "ref: refs/heads/main\n");
    expect(listLocalRepositories(root)).toEqual([
      { path: "Alpha", defaultBranch: "main" },
      { path: "mid", defaultBranch: null },
      { path: "zeta", defaultBranch: "main" },
    ]);
  });

  it("reads a bare repository with an unreadable HEAD as no branch", () => {
    root = mkdtempSync(join(tmpdir(), "ns-catalog-"));
    mkdirSync(join(root, "odd.git", "objects"), { recursive: true });
    mkdirSync(join(root, "odd.git", "HEAD"));
    expect(listLocalRepositories(root)).toEqual([{ path: "odd.git", defaultBranch: null }]);
  });

  it("offers at most 500 repositories", () => {
    root = mkdtempSync(join(tmpdir(), "ns-catalog-"));
    for (let i = 0; i < 501; i += 1) {
      const dir = join(root, `r${String(i).padStart(3, "0")}`);
      mkdirSync(join(dir, "objects"), { recursive: true });
      writeFileSync(join(dir, "HEAD"), "ref: refs/heads/main\n");
    }
    const listed = listLocalRepositories(root);
    expect(listed).toHaveLength(500);
    expect(listed[0]).toEqual({ path: expect.stringMatching(/^r\d{3}$/), defaultBranch: "main" });
  });
});
