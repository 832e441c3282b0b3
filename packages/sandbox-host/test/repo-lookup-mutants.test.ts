/**
 * The picker's listing order and what counts as a bare repository, for the catalog and the
 * resolver alike: a directory needs both HEAD and objects/, one of them is not enough.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listLocalRepositories } from "../src/sandbox/repo-catalog";
import { resolveRepo } from "../src/sandbox/repo-resolver";

// Created in an order that is neither sorted nor reverse-sorted, so no directory order can pass by luck.
const NAMES = ["mango", "apple", "zebra", "kiwi", "banana", "Cherry", "lime", "date", "yam", "fig"];

let root: string;
beforeAll(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), "ns-repo-lookup-")));
  for (const name of NAMES) execFileSync("git", ["init", "-q", "--bare", join(root, name)]);
  mkdirSync(join(root, "only-head"));
  writeFileSync(join(root, "only-head", "HEAD"), "ref: refs/heads/main\n");
  mkdirSync(join(root, "only-objects", "objects"), { recursive: true });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("the local repository catalog", () => {
  it("lists repositories in name order whatever order the directory returns them in", () => {
    const paths = listLocalRepositories(root).map((repo) => repo.path);
    expect(paths).toEqual([...NAMES].sort((a, b) => a.localeCompare(b)));
    expect(paths[0]).toBe("apple");
    expect(paths.at(-1)).toBe("zebra");
  });

  it("skips a directory with HEAD but no objects, and one with objects but no HEAD", () => {
    const paths = listLocalRepositories(root).map((repo) => repo.path);
    expect(paths).not.toContain("only-head");
    expect(paths).not.toContain("only-objects");
  });
});

describe("the repository resolver", () => {
  it("refuses a directory that has only one of HEAD and objects", () => {
    for (const path of ["only-head", "only-objects"])
      expect(() => resolveRepo({ kind: "local", path }, { reposRoot: root }), path).toThrow(
        `"${path}" is not a git repository (no .git directory)`,
      );
  });

  it("takes a bare repository as its own git directory", () => {
    expect(resolveRepo({ kind: "local", path: "kiwi" }, { reposRoot: root })).toEqual({
      kind: "local",
      path: join(root, "kiwi"),
      gitDir: join(root, "kiwi"),
    });
  });
});
