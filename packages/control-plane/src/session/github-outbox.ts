/**
 * The session's writes to GitHub (comments, the pull request), queued in the DO's storage and
 * sent from the alarm, never inside the bridge's or a request's path. Transient failures are
 * retried with backoff; a task GitHub refuses (github/failure.ts) or that keeps failing is dropped
 * with a log event, so GitHub being down or saying no never wedges a session.
 */
import type { AgentEvent } from "@nightshift/protocol";
import { githubFailure } from "../github/failure";
import { pullRequestBody, resultComment } from "../github/messages";
import { type DraftPull, type Pull, type RepoApi, replyOn } from "../github/repo-api";
import { DurableOutbox, type Queued as QueuedOf } from "../integrations/outbox-core";
import type { OutboxTask, PullRecord } from "./meta-keys";
import type { MetaStore } from "./meta-store";
import type { SessionMeta } from "./store";

type Queued = QueuedOf<OutboxTask>;

const MAX_ATTEMPTS = 6;
const BASE_BACKOFF_MS = 2_000;

export interface FlushDeps {
  api: RepoApi;
  meta: SessionMeta;
  sessionUrl: string;
  publish(events: AgentEvent[]): void;
  recordPull(url: string): Promise<void>;
  /** Opens the draft as the person the session works for, when their token is at hand; null → as the App. */
  openAsUser?: (input: DraftPull) => Promise<Pull | null>;
}

export class GithubOutbox {
  private readonly queue: DurableOutbox<OutboxTask>;

  constructor(private readonly meta: MetaStore) {
    this.queue = new DurableOutbox<OutboxTask>(
      {
        read: (): Queued[] => this.meta.get("github.outbox") ?? [],
        write: (queue: Queued[]) => this.meta.set("github.outbox", queue),
      },
      { maxAttempts: MAX_ATTEMPTS, baseBackoffMs: BASE_BACKOFF_MS },
    );
  }

  enqueue(task: OutboxTask): void {
    // One pull request sync is enough: a newer push replaces a pending one, keeping its place.
    this.queue.enqueue(task, task.kind === "pr.sync" ? (pending) => pending.kind === "pr.sync" : undefined);
  }

  get size(): number {
    return this.queue.size;
  }

  /** Whether a pull request sync is still to be sent (a Slack summary waits for its link). */
  pullPending(): boolean {
    return this.queue.tasks().some((t) => t.kind === "pr.sync");
  }

  pull(): PullRecord | null {
    return this.meta.get("github.pull");
  }

  /** Sends queued tasks in order (integrations/outbox-core.ts); returns when to try again, or null. */
  async flush(deps: FlushDeps, now: number): Promise<number | null> {
    return this.queue.flush(
      {
        send: (task) => this.send(task, deps),
        // A refusal (a 4xx that is not a rate limit) would be refused again: drop it now.
        classify: (error) =>
          githubFailure(error).kind === "permanent" ? { kind: "refused" } : { kind: "retry" },
        dropped: (task, why, attempts, error) =>
          deps.publish([
            {
              type: "log",
              source: "github",
              stream: "stderr",
              text:
                why === "refused"
                  ? `dropped a GitHub ${task.kind} without retrying: GitHub refused it, and would refuse it again (${describe(error)})\n`
                  : `gave up on a GitHub ${task.kind} after ${attempts} attempts: ${describe(error)}\n`,
            },
          ]),
      },
      now,
    );
  }

  private async send(task: OutboxTask, deps: FlushDeps): Promise<void> {
    switch (task.kind) {
      case "comment":
        return replyOn(deps.api, task.target, task.body);
      case "result": {
        const pull = this.pull();
        const body = resultComment({
          login: task.login,
          outcome: task.outcome,
          summary: task.summary,
          pr: pull ? { number: pull.number, url: pull.url } : null,
          sessionUrl: deps.sessionUrl,
        });
        return replyOn(deps.api, task.target, body);
      }
      case "pr.sync":
        return this.syncPull(task.summary, deps);
    }
  }

  /** Opens the session's draft pull request on the first push; later pushes refresh its text. */
  private async syncPull(summary: string | null, deps: FlushDeps): Promise<void> {
    const { api, meta } = deps;
    const known = this.pull();
    const body = pullRequestBody({
      summary,
      closesIssue: meta.github?.issue ?? null,
      requestedBy: meta.github?.requestedBy ?? null,
      sessionUrl: deps.sessionUrl,
    });
    let pull: Pull;
    let ours: boolean;
    const open = known ? null : await api.findOpenPull(meta.branch);
    if (known?.ours) {
      pull = await api.updatePull(known.number, { title: meta.title, body });
      ours = true;
    } else if (known) {
      return; // someone else's pull request: the push itself updated it
    } else if (open) {
      pull = open;
      // Opened by an earlier attempt of ours whose answer was lost: still ours to keep up to date.
      ours = this.meta.get("github.pull_creating") === meta.branch;
    } else {
      const base = meta.baseBranch ?? (await api.defaultBranch());
      const input = { branch: meta.branch, base, title: meta.title, body };
      // Set just before asking GitHub to open the PR, so an open PR found on a retry is known to be ours.
      this.meta.set("github.pull_creating", meta.branch);
      pull = (await deps.openAsUser?.(input)) ?? (await api.createDraftPull(input));
      ours = true;
    }
    if (!known) await deps.recordPull(pull.html_url);
    // Remembered only once D1 has the URL, so a failed record is retried with the rest.
    this.meta.set("github.pull", { number: pull.number, url: pull.html_url, ours });
    if (!known) {
      deps.publish([
        {
          type: "pr",
          url: pull.html_url,
          number: pull.number,
          state: pull.merged_at
            ? "merged"
            : pull.state === "closed"
              ? "closed"
              : pull.draft
                ? "draft"
                : "open",
        },
      ]);
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 200) : "unknown error";
}
