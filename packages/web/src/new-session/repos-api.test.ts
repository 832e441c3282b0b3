import { describe, expect, it } from "vitest";
import { parseRepoInput, repoKey } from "./repos-api";

describe("parseRepoInput", () => {
  it("reads a GitHub repository as owner/name or as its URL", () => {
    const acme = { ok: true, repo: { kind: "github", owner: "acme", name: "api" } };
    expect(parseRepoInput("github", "acme/api")).toEqual(acme);
    expect(parseRepoInput("github", "  https://github.com/acme/api.git ")).toEqual(acme);
    expect(parseRepoInput("github", "http://github.com/acme/api/")).toEqual(acme);
    expect(parseRepoInput("github", "acme/my.repo")).toEqual({
      ok: true,
      repo: { kind: "github", owner: "acme", name: "my.repo" },
    });
  });

  it("says how to type a GitHub repository it cannot read", () => {
    const hint = { ok: false, message: 'Type the GitHub repository as "owner/name".' };
    expect(parseRepoInput("github", "acme")).toEqual(hint);
    expect(parseRepoInput("github", "acme/api/extra")).toEqual(hint);
    expect(parseRepoInput("github", "https://gitlab.com/acme/api")).toEqual(hint);
    expect(parseRepoInput("github", "ac me/api")).toEqual(hint);
  });

  it("names the field a GitHub segment breaks", () => {
    const bad = parseRepoInput("github", "acme/ap!");
    expect(bad).toEqual({
      ok: false,
      message: "Repository name may contain only letters, digits, '-', '_' and '.'.",
    });
  });

  it("reads a local path relative to the root, without a leading ./", () => {
    expect(parseRepoInput("local", " ./demo-repo ")).toEqual({
      ok: true,
      repo: { kind: "local", path: "demo-repo" },
    });
    expect(parseRepoInput("local", "team/app")).toEqual({
      ok: true,
      repo: { kind: "local", path: "team/app" },
    });
    expect(parseRepoInput("local", "../secrets")).toEqual({
      ok: false,
      message: "Repository path must not contain '..'.",
    });
  });

  it("asks for a repository when nothing was typed", () => {
    expect(parseRepoInput("local", "   ")).toEqual({ ok: false, message: "Choose or type a repository." });
    expect(parseRepoInput("github", "")).toEqual({ ok: false, message: "Choose or type a repository." });
  });
});

describe("repoKey", () => {
  it("keys local and GitHub repositories apart", () => {
    expect(repoKey({ kind: "local", path: "demo" })).toBe("local:demo");
    expect(repoKey({ kind: "github", owner: "acme", name: "api" })).toBe("github:acme/api");
  });
});
