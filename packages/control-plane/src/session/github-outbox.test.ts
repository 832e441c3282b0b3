/**
 * The GitHub outbox with an in-memory store and a scripted RepoApi: the session's pull request
 * (opened once, refreshed while ours, adopted and left alone when not), ordered replies, and the
 * backoff that ends in a log event instead of a wedged queue.
 */
import type { AgentEvent } from "@nightshift/protocol";
import { beforeEach, describe, expect, it } from "vitest";
import { memoryMeta } from "../../test/support/memory-meta";
import { type DraftPull, GithubCallError, type Pull, type RepoApi } from "../github/repo-api";
import { type FlushDeps, GithubOutbox } from "./github-outbox";
import type { SessionMeta } from "./store";

const SESSION_URL = "https://nightshift.example/sessions/s1";
const NOW = 1_000_000;

function pullJson(number: number, opts: Partial<Pull> = {}): Pull {
  return {
    number,
    html_url: `https://github.example/acme/widgets/pull/${number}`,
    draft: true,
    state: "open",
    merged_at: null,
    head: { ref: "nightshift/s1", repo: { id: 9001 } },
    base: { ref: "main" },
    ...opts,
  };
}

interface Call {
  method: string;
  args: unknown[];
}

/** The body a recorded create or update call sent. */
function sentBody(call: Call | undefined, index: number): string {
  if (!call) throw new Error("the call was not made");
  return (call.args[index] as { body: string }).body;
}

/** The RepoApi methods the outbox uses, recording calls; `failing` makes the named methods throw. */
class FakeRepoApi {
  readonly calls: Call[] = [];
  readonly failing = new Set<string>();
  openPull: Pull | null = null;
  private nextNumber = 40;

  private record(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
    if (this.failing.has(method)) throw new GithubCallError(method, 502);
  }

  named(method: string): Call[] {
    return this.calls.filter((c) => c.method === method);
  }

  async defaultBranch() {
    this.record("defaultBranch");
    return "trunk";
  }
  async findOpenPull(branch: string) {
    this.record("findOpenPull", branch);
    return this.openPull;
  }
  async createDraftPull(p: { branch: string; base: string; title: string; body: string }) {
    this.record("createDraftPull", p);
    return pullJson(this.nextNumber++, { base: { ref: p.base } });
  }
  async updatePull(number: number, p: { title: string; body: string }) {
    this.record("updatePull", number, p);
    return pullJson(number);
  }
  async comment(issue: number, body: string) {
    this.record("comment", issue, body);
    return { id: 1 };
  }
  async replyToReviewComment(pull: number, commentId: number, body: string) {
    this.record("replyToReviewComment", pull, commentId, body);
    return { id: 2 };
  }
}

function memoryStore() {
  return memoryMeta().meta;
}

function sessionMeta(overrides: Partial<SessionMeta> = {}): SessionMeta {
  return {
    sessionId: "s1",
    tenantId: "t1",
    title: "Fix the README typo",
    repo: { kind: "github", owner: "acme", name: "widgets" },
    agent: "claude-code",
    model: null,
    branch: "nightshift/s1",
    createdBy: "u1",
    status: "running",
    baseBranch: "develop",
    github: { installationId: 77, repositoryId: 9001, issue: 7, requestedBy: "octocat" },
    ...overrides,
  };
}

let api: FakeRepoApi;
let outbox: GithubOutbox;
let published: AgentEvent[];
let recorded: string[];

function deps(meta = sessionMeta()): FlushDeps {
  return {
    api: api as unknown as RepoApi,
    meta,
    sessionUrl: SESSION_URL,
    publish: (events) => published.push(...events),
    recordPull: async (url) => void recorded.push(url),
  };
}

beforeEach(() => {
  api = new FakeRepoApi();
  outbox = new GithubOutbox(memoryStore());
  published = [];
  recorded = [];
});

describe("the session's pull request", () => {
  it("opens a draft on the first push, against the session's base branch, and announces it once", async () => {
    outbox.enqueue({ kind: "pr.sync", summary: "Fixed the typo." });
    expect(await outbox.flush(deps(), NOW)).toBeNull();

    expect(api.named("findOpenPull")).toEqual([{ method: "findOpenPull", args: ["nightshift/s1"] }]);
    expect(api.named("defaultBranch")).toEqual([]);
    const [created] = api.named("createDraftPull");
    expect(created?.args[0]).toMatchObject({
      branch: "nightshift/s1",
      base: "develop",
      title: "Fix the README typo",
    });
    const body = sentBody(created, 0);
    expect(body).toContain("Fixed the typo.");
    expect(body).toContain("Closes #7");
    expect(body).toContain("for @octocat");
    const url = "https://github.example/acme/widgets/pull/40";
    expect(published).toEqual([{ type: "pr", url, number: 40, state: "draft" }]);
    expect(recorded).toEqual([url]);
    expect(outbox.pull()).toEqual({ number: 40, url, ours: true });
    expect(outbox.size).toBe(0);
  });

  it("targets the repository's default branch when the session names none", async () => {
    outbox.enqueue({ kind: "pr.sync", summary: null });
    const meta = sessionMeta({ baseBranch: null, github: { ...sessionMeta().github!, issue: null } });
    await outbox.flush(deps(meta), NOW);
    expect(api.named("defaultBranch")).toHaveLength(1);
    const args = api.named("createDraftPull")[0]?.args[0] as { base: string; body: string };
    expect(args.base).toBe("trunk");
    expect(args.body).not.toContain("Closes");
  });

  it("refreshes the title and body of its own pull request on later pushes, announcing nothing new", async () => {
    outbox.enqueue({ kind: "pr.sync", summary: "First cut." });
    await outbox.flush(deps(), NOW);
    outbox.enqueue({ kind: "pr.sync", summary: "Second cut." });
    expect(await outbox.flush(deps(sessionMeta({ title: "Fix the typo, properly" })), NOW)).toBeNull();

    expect(api.named("createDraftPull")).toHaveLength(1);
    expect(api.named("findOpenPull")).toHaveLength(1);
    const [update] = api.named("updatePull");
    expect(update?.args[0]).toBe(40);
    expect(update?.args[1]).toMatchObject({ title: "Fix the typo, properly" });
    expect(sentBody(update, 1)).toContain("Second cut.");
    expect(published).toHaveLength(1);
    expect(recorded).toHaveLength(1);
  });

  it("adopts an open pull request someone else made for the branch and never rewrites it", async () => {
    api.openPull = pullJson(3, { draft: false, html_url: "https://github.example/acme/widgets/pull/3" });
    outbox.enqueue({ kind: "pr.sync", summary: "First cut." });
    await outbox.flush(deps(), NOW);
    outbox.enqueue({ kind: "pr.sync", summary: "Second cut." });
    await outbox.flush(deps(), NOW);

    expect(api.named("createDraftPull")).toEqual([]);
    expect(api.named("updatePull")).toEqual([]);
    const url = "https://github.example/acme/widgets/pull/3";
    expect(published).toEqual([{ type: "pr", url, number: 3, state: "open" }]);
    expect(recorded).toEqual([url]);
    expect(outbox.pull()).toEqual({ number: 3, url, ours: false });
  });

  it("keeps one pending sync, in the first one's place, with the newest summary", async () => {
    const target = { kind: "issue" as const, number: 7 };
    outbox.enqueue({ kind: "comment", target, body: "first" });
    outbox.enqueue({ kind: "pr.sync", summary: "old summary" });
    outbox.enqueue({ kind: "comment", target, body: "second" });
    outbox.enqueue({ kind: "pr.sync", summary: "new summary" });
    expect(outbox.size).toBe(3);

    await outbox.flush(deps(), NOW);
    expect(api.calls.map((c) => c.method)).toEqual(["comment", "findOpenPull", "createDraftPull", "comment"]);
    expect(api.calls[3]?.args).toEqual([7, "second"]);
    const body = sentBody(api.named("createDraftPull")[0], 0);
    expect(body).toContain("new summary");
    expect(body).not.toContain("old summary");
  });

  it("opens the draft as the requesting user when it can, and as the App when that gives nothing", async () => {
    const asUser: DraftPull[] = [];
    const openAsUser = async (input: DraftPull) => {
      asUser.push(input);
      return pullJson(77, { html_url: "https://github.example/acme/widgets/pull/77" });
    };
    outbox.enqueue({ kind: "pr.sync", summary: "By hand." });
    await outbox.flush({ ...deps(), openAsUser }, NOW);
    expect(asUser).toEqual([expect.objectContaining({ branch: "nightshift/s1", base: "develop" })]);
    expect(api.named("createDraftPull")).toEqual([]);
    expect(outbox.pull()).toMatchObject({ number: 77, ours: true });

    const fallback = new GithubOutbox(memoryStore());
    fallback.enqueue({ kind: "pr.sync", summary: "By the App." });
    await fallback.flush({ ...deps(), openAsUser: async () => null }, NOW);
    expect(api.named("createDraftPull")).toHaveLength(1);
    expect(fallback.pull()).toMatchObject({ number: 40, ours: true });
  });

  it("announces the pull request once even when opening it needed a retry", async () => {
    api.failing.add("createDraftPull");
    outbox.enqueue({ kind: "pr.sync", summary: null });
    expect(await outbox.flush(deps(), NOW)).toBe(NOW + 2_000);
    expect(published).toEqual([]);
    expect(outbox.pull()).toBeNull();
    api.failing.clear();
    expect(await outbox.flush(deps(), NOW)).toBeNull();
    expect(published.map((e) => e.type)).toEqual(["pr"]);
  });
});

describe("replies", () => {
  it("keeps a pull request it opened as its own when the answer to opening it was lost", async () => {
    outbox.enqueue({ kind: "pr.sync", summary: "First." });
    api.failing.add("createDraftPull");
    const retryAt = await outbox.flush(deps(), 1_000);
    expect(retryAt).not.toBeNull();
    // GitHub did open it; only the answer never arrived. The retry finds it open.
    api.failing.delete("createDraftPull");
    api.openPull = pullJson(77);
    expect(await outbox.flush(deps(), 10_000)).toBeNull();
    expect(outbox.pull()).toMatchObject({ number: 77, ours: true });
    outbox.enqueue({ kind: "pr.sync", summary: "Second." });
    await outbox.flush(deps(), 20_000);
    expect(api.named("updatePull")).toHaveLength(1);
  });

  it("records the URL on the session before it remembers the pull request, so a failed record is retried", async () => {
    outbox.enqueue({ kind: "pr.sync", summary: "First." });
    let fail = true;
    const flaky: FlushDeps = {
      ...deps(),
      recordPull: async (url) => {
        if (fail) throw new Error("D1 unavailable");
        recorded.push(url);
      },
    };
    expect(await outbox.flush(flaky, 1_000)).not.toBeNull();
    expect(outbox.pull()).toBeNull();
    fail = false;
    api.openPull = pullJson(40);
    expect(await outbox.flush(flaky, 10_000)).toBeNull();
    expect(recorded).toEqual([pullJson(40).html_url]);
    expect(published.filter((e) => e.type === "pr")).toHaveLength(1);
  });

  it("links the session's pull request in the result comment", async () => {
    outbox.enqueue({ kind: "pr.sync", summary: "Done." });
    outbox.enqueue({
      kind: "result",
      target: { kind: "issue", number: 7 },
      login: "octocat",
      outcome: "completed",
      summary: "Fixed the typo.",
    });
    await outbox.flush(deps(), NOW);
    const [comment] = api.named("comment");
    expect(comment?.args[0]).toBe(7);
    expect(comment?.args[1]).toMatch(/^@octocat done — see #40\./);
    expect(comment?.args[1]).toContain(`Session: ${SESSION_URL}`);
  });

  it("says there is no pull request when the session opened none", async () => {
    outbox.enqueue({
      kind: "result",
      target: { kind: "issue", number: 7 },
      login: null,
      outcome: "completed",
      summary: null,
    });
    await outbox.flush(deps(), NOW);
    expect(api.named("comment")[0]?.args[1]).toMatch(/no pull request/);
  });

  it("answers a review thread in that thread", async () => {
    const target = { kind: "review" as const, pull: 12, commentId: 99 };
    outbox.enqueue({ kind: "comment", target, body: "On it." });
    outbox.enqueue({ kind: "result", target, login: "octocat", outcome: "failed", summary: null });
    await outbox.flush(deps(), NOW);
    expect(api.named("comment")).toEqual([]);
    const replies = api.named("replyToReviewComment");
    expect(replies.map((c) => c.args.slice(0, 2))).toEqual([
      [12, 99],
      [12, 99],
    ]);
    expect(replies[0]?.args[2]).toBe("On it.");
    expect(replies[1]?.args[2]).toMatch(/^@octocat the run failed/);
  });
});

describe("failures", () => {
  it("backs off, doubling the wait, and holds later tasks back meanwhile", async () => {
    api.failing.add("comment");
    const target = { kind: "issue" as const, number: 7 };
    outbox.enqueue({ kind: "comment", target, body: "hello" });
    outbox.enqueue({ kind: "comment", target: { kind: "review", pull: 1, commentId: 2 }, body: "later" });
    const waits: (number | null)[] = [];
    for (let i = 0; i < 5; i++) waits.push(await outbox.flush(deps(), NOW));
    expect(waits).toEqual([2_000, 4_000, 8_000, 16_000, 32_000].map((ms) => NOW + ms));
    expect(api.named("replyToReviewComment")).toEqual([]);
    expect(published).toEqual([]);
    expect(outbox.size).toBe(2);

    // The sixth failure drops the task with a log event, and the queue moves on.
    expect(await outbox.flush(deps(), NOW)).toBeNull();
    expect(api.named("comment")).toHaveLength(6);
    expect(published).toEqual([
      expect.objectContaining({
        type: "log",
        source: "github",
        stream: "stderr",
        text: expect.stringMatching(
          /gave up on a GitHub comment after 6 attempts: GitHub comment failed \(502\)/,
        ),
      }),
    ]);
    expect(api.named("replyToReviewComment")).toHaveLength(1);
    expect(outbox.size).toBe(0);
  });

  it("drops a comment GitHub refuses with 422 after one attempt, saying why, and moves on", async () => {
    let attempts = 0;
    api.comment = async () => {
      attempts += 1;
      throw new GithubCallError("comment", 422, {}, "Validation Failed");
    };
    outbox.enqueue({ kind: "comment", target: { kind: "issue", number: 7 }, body: "too long" });
    outbox.enqueue({ kind: "comment", target: { kind: "review", pull: 1, commentId: 2 }, body: "next" });
    expect(await outbox.flush(deps(), NOW)).toBeNull();
    expect(attempts).toBe(1);
    expect(api.named("replyToReviewComment")).toHaveLength(1);
    expect(outbox.size).toBe(0);
    expect(published).toEqual([
      expect.objectContaining({
        type: "log",
        source: "github",
        text: expect.stringMatching(
          /dropped a GitHub comment without retrying: GitHub refused it.*\(GitHub comment failed \(422\): Validation Failed\)/,
        ),
      }),
    ]);
  });

  it("retries a comment that failed with 502 (and a rate-limited 403) with backoff instead of dropping it", async () => {
    const failures = [
      new GithubCallError("comment", 502),
      new GithubCallError("comment", 403, { "x-ratelimit-remaining": "0" }),
    ];
    api.comment = async () => {
      const next = failures.shift();
      if (next) throw next;
      return { id: 1 };
    };
    outbox.enqueue({ kind: "comment", target: { kind: "issue", number: 7 }, body: "hello" });
    expect(await outbox.flush(deps(), NOW)).toBe(NOW + 2_000);
    expect(await outbox.flush(deps(), NOW)).toBe(NOW + 4_000);
    expect(outbox.size).toBe(1);
    expect(await outbox.flush(deps(), NOW)).toBeNull();
    expect(outbox.size).toBe(0);
    expect(published).toEqual([]);
  });

  it("starts the next task's backoff afresh", async () => {
    api.failing.add("comment");
    outbox.enqueue({ kind: "comment", target: { kind: "issue", number: 7 }, body: "hello" });
    for (let i = 0; i < 3; i++) await outbox.flush(deps(), NOW);
    api.failing.clear();
    expect(await outbox.flush(deps(), NOW)).toBeNull();
    api.failing.add("comment");
    outbox.enqueue({ kind: "comment", target: { kind: "issue", number: 7 }, body: "again" });
    expect(await outbox.flush(deps(), NOW)).toBe(NOW + 2_000);
  });

  it("keeps its queue in the store, so a new outbox over the same storage carries on", async () => {
    const store = memoryStore();
    new GithubOutbox(store).enqueue({ kind: "comment", target: { kind: "issue", number: 7 }, body: "kept" });
    const again = new GithubOutbox(store);
    expect(again.size).toBe(1);
    await again.flush(deps(), NOW);
    expect(api.named("comment")[0]?.args).toEqual([7, "kept"]);
  });
});
