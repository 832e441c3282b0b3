import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveRepo } from "./repo-resolver";

let base: string;
let root: string;
beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), "ns-repos-")));
  root = join(base, "root");
  mkdirSync(root);
  execFileSync("git", ["init", "-q", join(root, "demo")]);
  execFileSync("git", ["init", "-q", "--bare", join(root, "bare.git")]);
  mkdirSync(join(root, "plain"));
  execFileSync("git", ["init", "-q", join(base, "outside")]);
  symlinkSync(join(base, "outside"), join(root, "escape"));
  symlinkSync(join(root, "demo"), join(root, "alias"));
  // Links inside the root that lead out of it: a nested directory link and a repository whose .git does.
  mkdirSync(join(root, "nested"));
  symlinkSync(join(base, "outside"), join(root, "nested", "link"));
  // A sibling whose name merely starts with the root's: outside, though a string prefix says otherwise.
  execFileSync("git", ["init", "-q", `${root}-sibling`]);
  symlinkSync(`${root}-sibling`, join(root, "sibling"));
  writeFileSync(join(root, "afile"), "x");
  mkdirSync(join(root, "borrowed"));
  symlinkSync(join(base, "outside", ".git"), join(root, "borrowed", ".git"));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

const resolveLocal = (path: string) => resolveRepo({ kind: "local", path }, { reposRoot: root });

describe("resolveRepo", () => {
  it("resolves a repository under the root to its real path and git directory", () => {
    expect(resolveLocal("demo")).toEqual({
      kind: "local",
      path: join(root, "demo"),
      gitDir: join(root, "demo", ".git"),
    });
    expect(resolveLocal("bare.git")).toEqual({
      kind: "local",
      path: join(root, "bare.git"),
      gitDir: join(root, "bare.git"),
    });
    expect(resolveLocal("alias")).toMatchObject({ path: join(root, "demo") });
  });

  it("a symlink inside the repositories root that points outside never resolves", () => {
    expect(() => resolveLocal("nested/link")).toThrow(/outside the repositories root/);
    expect(() => resolveLocal("borrowed")).toThrow(/\.git that resolves outside/);
    expect(() => resolveLocal("demo/../../outside")).toThrow(/outside the repositories root/);
  });

  it("refuses paths that leave the root, do not exist or are not repositories", () => {
    expect(() => resolveLocal("escape")).toThrow(/outside the repositories root/);
    expect(() => resolveLocal("/etc")).toThrow(/outside the repositories root/);
    expect(() => resolveLocal("missing")).toThrow(/was not found/);
    expect(() => resolveLocal("plain")).toThrow(/not a git repository/);
    try {
      resolveLocal("escape");
    } catch (err) {
      expect(err).toMatchObject({ status: 400, code: "invalid_request" });
    }
  });

  it("refuses local repositories when no root is configured, and builds no GitHub URL (the control plane's git proxy is the sandbox's remote)", () => {
    expect(() => resolveRepo({ kind: "local", path: "demo" }, {})).toThrow(/--repos-root/);
    expect(resolveRepo({ kind: "github", owner: "acme", name: "api" }, {})).toEqual({ kind: "github" });
  });

  it("refuses a sibling of the root whose name starts like it, a file, and the root itself", () => {
    expect(() => resolveLocal("sibling")).toThrow(
      `repository "sibling" resolves outside the repositories root`,
    );
    expect(() => resolveLocal("afile")).toThrow(`repository "afile" is not a directory`);
    expect(() => resolveLocal(".")).toThrow(`"." is not a git repository (no .git directory)`);
    expect(() => resolveLocal("missing")).toThrow(
      `repository "missing" was not found under the repositories root`,
    );
    expect(() => resolveLocal("borrowed")).toThrow(
      `repository "borrowed" has a .git that resolves outside the repositories root`,
    );
    expect(() => resolveRepo({ kind: "local", path: "demo" }, { reposRoot: "" })).toThrow(
      "this sandbox host serves no local repositories; start it with --repos-root",
    );
  });

  it("serves the root itself when it is a repository", () => {
    expect(resolveRepo({ kind: "local", path: "." }, { reposRoot: join(root, "demo") })).toEqual({
      kind: "local",
      path: join(root, "demo"),
      gitDir: join(root, "demo", ".git"),
    });
  });
});
