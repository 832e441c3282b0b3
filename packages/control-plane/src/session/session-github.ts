/**
 * The session DO's GitHub side: remembers which prompts came from GitHub (and where to answer),
 * turns pushes into a pull request sync and finished turns into result comments, and sends them
 * from the alarm through the outbox. Sessions on local repositories never get here.
 */
import type { AgentEvent, SessionStatus } from "@nightshift/protocol";
import { createGithubApp, type GithubApp } from "../github/app-client";
import { type GithubAppConfig, GithubConfigError } from "../github/app-config";
import { startedComment } from "../github/messages";
import { type DraftPull, type Pull, RepoApi } from "../github/repo-api";
import { GithubOutbox } from "./github-outbox";
import type { GithubReply } from "./meta-keys";
import type { MetaStore } from "./meta-store";
import type { Scheduler } from "./scheduler";
import type { SessionMeta } from "./store";

/** What the GitHub side uses, handed in by the DO (session/capabilities.ts builds them from env). */
export interface SessionGithubParts {
  meta: MetaStore;
  scheduler: Pick<Scheduler, "set">;
  /** The dashboard's base URL, for links to the session. */
  publicUrl: string;
  /** The GitHub App's settings: null when none is configured; throws when they are malformed. */
  appConfig: () => GithubAppConfig | null;
  /** The user's own GitHub token when they signed in with GitHub recently (ADR 0008), else null. */
  userToken: (userId: string) => Promise<string | null>;
  /** Records the session's pull request URL in the D1 index. */
  recordPull: (meta: SessionMeta, url: string) => Promise<void>;
  now: () => number;
}

export class SessionGithub {
  private readonly outbox: GithubOutbox;
  private readonly meta: MetaStore;
  private app: GithubApp | null = null;

  constructor(private readonly parts: SessionGithubParts) {
    this.meta = parts.meta;
    this.outbox = new GithubOutbox(parts.meta);
  }

  /** Whether the session's pull request is still being opened or refreshed (the Slack summary waits for it). */
  pullPending(): boolean {
    return this.outbox.pullPending();
  }

  sessionUrl(meta: SessionMeta): string {
    return `${this.parts.publicUrl.replace(/\/+$/, "")}/sessions/${meta.sessionId}`;
  }

  private replies(): Record<string, GithubReply> {
    return this.meta.get("github.replies") ?? {};
  }

  private takeReply(promptId: string): GithubReply | null {
    const all = this.replies();
    const reply = all[promptId] ?? null;
    if (reply) {
      delete all[promptId];
      this.meta.set("github.replies", all);
    }
    return reply;
  }

  /** A prompt that came from GitHub: answer there when its turn ends; `announce` posts the session link now. */
  promptFromGithub(meta: SessionMeta, promptId: string, reply: GithubReply, announce: boolean): void {
    if (!meta.github) return;
    this.meta.set("github.replies", { ...this.replies(), [promptId]: reply });
    if (announce)
      this.enqueue({ kind: "comment", target: reply.target, body: startedComment(this.sessionUrl(meta)) });
  }

  /** Runtime events, with the prompt that was running when they arrived. */
  onRuntimeEvents(meta: SessionMeta, events: AgentEvent[], runningPromptId: string | null): void {
    if (!meta.github) return;
    for (const event of events) {
      if (event.type === "message" && event.role === "assistant")
        this.meta.set("github.last_message", event.text.slice(0, 20_000));
      if (event.type === "git.push")
        this.enqueue({ kind: "pr.sync", summary: this.meta.get("github.last_message") });
      if (event.type === "turn.end" && runningPromptId) {
        const reply = this.takeReply(event.promptId ?? runningPromptId);
        if (reply)
          this.enqueue({
            kind: "result",
            target: reply.target,
            login: reply.login,
            outcome: event.status,
            summary: event.summary ?? this.meta.get("github.last_message"),
          });
      }
    }
  }

  /** A session that ended without finishing its GitHub prompts still answers the people who asked. */
  onStatus(meta: SessionMeta, status: SessionStatus, reason: string | undefined): void {
    if (!meta.github || (status !== "failed" && status !== "stopped")) return;
    const all = Object.values(this.replies());
    this.meta.set("github.replies", {});
    for (const reply of all) {
      this.enqueue({
        kind: "result",
        target: reply.target,
        login: reply.login,
        outcome: status === "failed" ? "failed" : "cancelled",
        summary: reason ?? null,
      });
    }
  }

  private enqueue(task: Parameters<GithubOutbox["enqueue"]>[0]): void {
    this.outbox.enqueue(task);
    this.parts.scheduler.set("github.sync", this.parts.now());
  }

  private async openAsUser(
    api: RepoApi,
    meta: SessionMeta,
    input: DraftPull,
    publish: (events: AgentEvent[]) => void,
  ): Promise<Pull | null> {
    let token: string | null;
    try {
      token = await this.parts.userToken(meta.createdBy);
    } catch {
      token = null;
    }
    if (!token) return null;
    try {
      return await api.createDraftPullAsUser(token, input);
    } catch (error) {
      const why = error instanceof Error ? error.message : "unknown error";
      publish([
        {
          type: "log",
          source: "github",
          stream: "stderr",
          text: `opening the pull request as the requester failed (${why}); opening it as the App\n`,
        },
      ]);
      return null;
    }
  }

  /** From the alarm: send what is queued; schedule a retry when GitHub failed. */
  async flush(meta: SessionMeta, publish: (events: AgentEvent[]) => void): Promise<void> {
    const github = meta.github;
    if (!github || meta.repo.kind !== "github" || this.outbox.size === 0) return;
    let config: GithubAppConfig | null;
    let missing = "the GitHub App is not configured";
    try {
      config = this.parts.appConfig();
    } catch (error) {
      config = null;
      // Broken settings are named as such (a malformed key is not "not configured").
      if (error instanceof GithubConfigError) missing = error.message;
    }
    if (!config) {
      publish([
        {
          type: "log",
          source: "github",
          stream: "stderr",
          text: `GitHub updates skipped: ${missing}\n`,
        },
      ]);
      return;
    }
    this.app ??= createGithubApp(config);
    const api = new RepoApi(this.app, config, {
      installationId: github.installationId,
      repositoryId: github.repositoryId,
      owner: meta.repo.owner,
      name: meta.repo.name,
    });
    const retryAt = await this.outbox.flush(
      {
        api,
        meta,
        sessionUrl: this.sessionUrl(meta),
        publish,
        openAsUser: (input) => this.openAsUser(api, meta, input, publish),
        recordPull: (url) => this.parts.recordPull(meta, url),
      },
      this.parts.now(),
    );
    if (retryAt !== null) this.parts.scheduler.set("github.sync", retryAt);
  }
}
