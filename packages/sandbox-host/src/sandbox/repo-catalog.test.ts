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
});
