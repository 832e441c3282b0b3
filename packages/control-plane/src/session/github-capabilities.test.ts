/**
 * SessionGithub and GithubCredentials built from plain capabilities, with no Bindings, D1 or
 * keyring: what the DO hands them (session/capabilities.ts) is all they use.
 */
import { describe, expect, it } from "vitest";
import { memoryMeta } from "../../test/support/memory-meta";
import { GithubConfigError } from "../github/app-config";
import { GithubCredentials } from "./github-credentials";
import { SessionGithub, type SessionGithubParts } from "./session-github";
import type { SessionMeta } from "./store";

const NOW = 1_700_000_000_000;

const meta: SessionMeta = {
  sessionId: "s1",
  tenantId: "t1",
  title: "Fix the README",
  repo: { kind: "github", owner: "acme", name: "widgets" },
  agent: "claude-code",
  model: null,
  branch: "nightshift/s1",
  createdBy: "u1",
  status: "running",
  github: { installationId: 7, repositoryId: 42, issue: 3, requestedBy: "octocat" },
};

function sessionGithub(overrides: Partial<SessionGithubParts> = {}) {
  const { meta: store } = memoryMeta();
  const wakes: { name: string; at: number }[] = [];
  const github = new SessionGithub({
    meta: store,
    scheduler: { set: (name, at) => void wakes.push({ name, at }) },
    publicUrl: "https://nightshift.example/",
    appConfig: () => null,
    userToken: async () => null,
    recordPull: async () => {},
    now: () => NOW,
    ...overrides,
  });
  return { github, store, wakes };
}

describe("SessionGithub from capabilities", () => {
  it("announces a GitHub prompt with the session's link and answers it with the last message when its turn ends", () => {
    const { github, store, wakes } = sessionGithub();
    const reply = { target: { kind: "issue", number: 3 } as const, login: "octocat" };
    github.promptFromGithub(meta, "p1", reply, true);
    github.onRuntimeEvents(
      meta,
      [
        { type: "message", messageId: "m1", role: "assistant", text: "Fixed the typo." },
        { type: "turn.end", status: "completed" },
      ],
      "p1",
    );
    expect(store.get("github.outbox")?.map((q) => q.task)).toEqual([
      {
        kind: "comment",
        target: reply.target,
        body: expect.stringContaining("https://nightshift.example/sessions/s1"),
      },
      {
        kind: "result",
        target: reply.target,
        login: "octocat",
        outcome: "completed",
        summary: "Fixed the typo.",
      },
    ]);
    expect(store.get("github.replies")).toEqual({});
    expect(wakes).toEqual([
      { name: "github.sync", at: NOW },
      { name: "github.sync", at: NOW },
    ]);
  });

  it("a session that fails answers every GitHub prompt still open, with the reason", () => {
    const { github, store } = sessionGithub();
    github.promptFromGithub(meta, "p1", { target: { kind: "issue", number: 3 }, login: "a" }, false);
    github.promptFromGithub(
      meta,
      "p2",
      { target: { kind: "review", pull: 5, commentId: 9 }, login: "b" },
      false,
    );
    github.onStatus(meta, "failed", "the sandbox could not start");
    expect(store.get("github.outbox")?.map((q) => q.task)).toEqual([
      expect.objectContaining({
        kind: "result",
        login: "a",
        outcome: "failed",
        summary: "the sandbox could not start",
      }),
      expect.objectContaining({ kind: "result", login: "b", outcome: "failed" }),
    ]);
    expect(store.get("github.replies")).toEqual({});
  });

  it("without a GitHub App, a flush says so and sends nothing, keeping its queue", async () => {
    let recorded = 0;
    const { github, store } = sessionGithub({
      recordPull: async () => {
        recorded += 1;
      },
    });
    github.onRuntimeEvents(
      meta,
      [
        {
          type: "git.push",
          branch: "nightshift/s1",
          sha: "abc1234",
          filesChanged: 1,
          insertions: 1,
          deletions: 0,
        },
      ],
      null,
    );
    const published: unknown[] = [];
    await github.flush(meta, (events) => published.push(...events));
    expect(published).toEqual([
      expect.objectContaining({
        type: "log",
        text: "GitHub updates skipped: the GitHub App is not configured\n",
      }),
    ]);
    expect(store.get("github.outbox")).toHaveLength(1);
    expect(recorded).toBe(0);
  });
});

describe("GithubCredentials from capabilities", () => {
  const binding = { installationId: 7, repositoryId: 42, issue: null, requestedBy: null };

  it("needs no App for what it refuses on its own: local repositories and unbound GitHub ones", async () => {
    let configReads = 0;
    const credentials = new GithubCredentials(
      () => {
        configReads += 1;
        return null;
      },
      () => NOW,
    );
    expect(await credentials.issue({ kind: "local", path: "demo" }, null)).toMatchObject({
      ok: false,
      code: "not_found",
      status: 404,
    });
    expect(await credentials.issue(meta.repo, null)).toMatchObject({
      ok: false,
      code: "forbidden",
      status: 403,
    });
    expect(configReads).toBe(0);
  });

  it("without an App configured, says how to configure one", async () => {
    const credentials = new GithubCredentials(
      () => null,
      () => NOW,
    );
    const result = await credentials.issue(meta.repo, binding);
    expect(result).toMatchObject({ ok: false, code: "upstream_unavailable", status: 503 });
    expect(result.ok ? "" : result.message).toMatch(/configure one \(docs\/github-app\.md\)/);
  });

  it("with malformed App settings, passes on what is wrong with them", async () => {
    const credentials = new GithubCredentials(
      () => {
        throw new GithubConfigError("GITHUB_APP_PRIVATE_KEY is not a PEM private key");
      },
      () => NOW,
    );
    expect(await credentials.issue(meta.repo, binding)).toEqual({
      ok: false,
      code: "upstream_unavailable",
      status: 503,
      message: "GITHUB_APP_PRIVATE_KEY is not a PEM private key",
    });
  });
});
