import type { Session } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { matchesFilter } from "./session-filter";

const session: Session = {
  id: "s1",
  tenantId: "t1",
  title: "Fix the flaky login test",
  repo: { kind: "github", owner: "acme", name: "api" },
  agent: "claude-code",
  model: "claude-sonnet-4-5",
  status: "running",
  trigger: "github",
  createdBy: "ada@example.com",
  branch: "nightshift/fix-login",
  costUsd: 0,
  prUrl: null,
  createdAt: "2026-12-04T10:00:00Z",
  updatedAt: "2026-12-04T10:05:00Z",
};

const search = (text: string) => matchesFilter(session, { trigger: null, search: text });

describe("matchesFilter", () => {
  it("keeps every session when nothing is filtered", () => {
    expect(search("")).toBe(true);
    expect(search("   ")).toBe(true);
  });

  it("keeps only the chosen trigger", () => {
    expect(matchesFilter(session, { trigger: "github", search: "" })).toBe(true);
    expect(matchesFilter(session, { trigger: "web", search: "" })).toBe(false);
    expect(matchesFilter(session, { trigger: "web", search: "flaky" })).toBe(false);
  });

  it("finds a session by any word of its title, repo, agent, model, author, branch, status or trigger", () => {
    for (const word of [
      "flaky",
      "acme/api",
      "claude-code",
      "sonnet",
      "ada@example.com",
      "nightshift/fix-login",
      "running",
      "github",
    ]) {
      expect(search(word), word).toBe(true);
    }
    expect(
      matchesFilter(
        { ...session, repo: { kind: "local", path: "demo" } },
        { trigger: null, search: "local:demo" },
      ),
    ).toBe(true);
  });

  it("finds a session by its agent's name as the list shows it", () => {
    expect(search("Claude Code")).toBe(true);
    const gemini = { ...session, agent: "gemini" as const, model: "gemini-2.5-pro" };
    expect(matchesFilter(gemini, { trigger: null, search: "gemini cli" })).toBe(true);
    expect(matchesFilter(gemini, { trigger: null, search: "codex" })).toBe(false);
  });

  it("ignores case and needs every word to match", () => {
    expect(search("FLAKY Login")).toBe(true);
    expect(search("flaky  acme\trunning")).toBe(true);
    expect(search("flaky payments")).toBe(false);
    expect(search("payments")).toBe(false);
  });

  it("does not match a word made of the end of one field and the start of the next", () => {
    // The title ends in "test" and the repo is acme/api: "testacme" is in neither.
    expect(search("testacme")).toBe(false);
    expect(search("test acme")).toBe(true);
  });

  it("finds capitalised text by a lower-case word", () => {
    expect(search("fix")).toBe(true);
    expect(
      matchesFilter({ ...session, branch: "nightshift/Hotfix" }, { trigger: null, search: "hotfix" }),
    ).toBe(true);
  });

  it("does not match a missing model", () => {
    expect(matchesFilter({ ...session, model: null }, { trigger: null, search: "sonnet" })).toBe(false);
    expect(matchesFilter({ ...session, model: null }, { trigger: null, search: "flaky" })).toBe(true);
  });
});
