/**
 * The outbox while a send is in flight: the DO keeps taking runtime events during the awaited
 * GitHub call, so tasks enqueued then must survive the flush that was already running.
 */
import { describe, expect, it } from "vitest";
import { memoryMeta } from "../../test/support/memory-meta";
import type { Pull, RepoApi } from "../github/repo-api";
import { type FlushDeps, GithubOutbox } from "./github-outbox";
import type { SessionMeta } from "./store";

const meta: SessionMeta = {
  sessionId: "s1",
  tenantId: "t1",
  title: "Add a changelog",
  repo: { kind: "github", owner: "acme", name: "widgets" },
  agent: "claude-code",
  model: null,
  branch: "nightshift/s1",
  createdBy: "u1",
  status: "running",
  baseBranch: "main",
  github: { installationId: 77, repositoryId: 9001, issue: 7, requestedBy: "octocat" },
};

function pull(number: number): Pull {
  return {
    number,
    html_url: `https://github.example/acme/widgets/pull/${number}`,
    draft: true,
    state: "open",
    merged_at: null,
    head: { ref: "nightshift/s1", repo: { id: 9001 } },
    base: { ref: "main" },
  };
}

/** A RepoApi whose pull request calls run `during` before they answer (the turn ending meanwhile). */
function apiWith(during: () => void) {
  const comments: string[] = [];
  const updates: string[] = [];
  const api = {
    async findOpenPull() {
      during();
      return null;
    },
    async createDraftPull() {
      return pull(40);
    },
    async updatePull(_n: number, p: { body: string }) {
      updates.push(p.body);
      during();
      return pull(40);
    },
    async comment(_issue: number, body: string) {
      comments.push(body);
      return { id: 1 };
    },
  };
  return { api: api as unknown as RepoApi, comments, updates };
}

function deps(api: RepoApi): FlushDeps {
  return {
    api,
    meta,
    sessionUrl: "https://nightshift.example/s/s1",
    publish: () => {},
    recordPull: async () => {},
  };
}

describe("a task enqueued while the outbox is sending", () => {
  it("is sent, not lost: the turn's result comment arriving during the pull request's sync", async () => {
    const outbox = new GithubOutbox(memoryMeta().meta);
    let once = true;
    const { api, comments } = apiWith(() => {
      if (!once) return;
      once = false;
      outbox.enqueue({
        kind: "result",
        target: { kind: "issue", number: 7 },
        login: "octocat",
        outcome: "completed",
        summary: "Added it.",
      });
    });
    outbox.enqueue({ kind: "pr.sync", summary: "Added a changelog." });
    expect(await outbox.flush(deps(api), 0)).toBeNull();
    expect(comments).toHaveLength(1);
    expect(comments[0]).toContain("Added it.");
    expect(outbox.size).toBe(0);
  });

  it("sends a newer pull request sync that replaced the one in flight", async () => {
    const outbox = new GithubOutbox(memoryMeta().meta);
    outbox.enqueue({ kind: "pr.sync", summary: "first push" });
    await outbox.flush(deps(apiWith(() => {}).api), 0);
    let once = true;
    const { api, updates } = apiWith(() => {
      if (!once) return;
      once = false;
      outbox.enqueue({ kind: "pr.sync", summary: "third push" });
    });
    outbox.enqueue({ kind: "pr.sync", summary: "second push" });
    expect(await outbox.flush(deps(api), 0)).toBeNull();
    expect(updates).toHaveLength(2);
    expect(updates[1]).toContain("third push");
    expect(outbox.size).toBe(0);
  });
});
