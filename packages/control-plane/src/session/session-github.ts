/**
 * The session DO's GitHub side: remembers which prompts came from GitHub (and where to answer),
 * turns pushes into a pull request sync and finished turns into result comments, and sends them
 * from the alarm through the outbox. Sessions on local repositories never get here.
 */
import type { AgentEvent, SessionStatus } from "@nightshift/protocol";
import { openDatabase } from "../db/client";
import { updateSession } from "../db/repositories/sessions";
import { findGithubUserToken } from "../db/repositories/users";
import type { Bindings } from "../env";
import { createGithubApp, type GithubApp } from "../github/app-client";
import { readGithubAppConfig } from "../github/app-config";
import { startedComment } from "../github/messages";
import { type DraftPull, type Pull, RepoApi } from "../github/repo-api";
import type { ReplyTarget } from "../github/webhook-router";
import { loadKeyring } from "../secrets/keyring";
import { openUserToken } from "../secrets/user-token-vault";
import { GithubOutbox } from "./github-outbox";
import type { Scheduler } from "./scheduler";
import type { SessionMeta, SessionStore } from "./store";

export interface GithubReply {
  target: ReplyTarget;
  login: string | null;
}

const REPLIES_KEY = "github.replies";
const LAST_MESSAGE_KEY = "github.last_message";

export class SessionGithub {
  private readonly outbox: GithubOutbox;
  private app: GithubApp | null = null;

  constructor(
    private readonly env: Bindings,
    private readonly store: SessionStore,
    private readonly scheduler: Scheduler,
  ) {
    this.outbox = new GithubOutbox(store);
  }

  sessionUrl(meta: SessionMeta): string {
    const base = (this.env.PUBLIC_URL ?? "http://127.0.0.1:8787").replace(/\/+$/, "");
    return `${base}/sessions/${meta.sessionId}`;
  }

  private replies(): Record<string, GithubReply> {
    return JSON.parse(this.store.getValue(REPLIES_KEY) ?? "{}") as Record<string, GithubReply>;
  }

  private takeReply(promptId: string): GithubReply | null {
    const all = this.replies();
    const reply = all[promptId] ?? null;
    if (reply) {
      delete all[promptId];
      this.store.setValue(REPLIES_KEY, JSON.stringify(all));
    }
    return reply;
  }

  /** A prompt that came from GitHub: answer there when its turn ends; `announce` posts the session link now. */
  promptFromGithub(meta: SessionMeta, promptId: string, reply: GithubReply, announce: boolean): void {
    if (!meta.github) return;
    this.store.setValue(REPLIES_KEY, JSON.stringify({ ...this.replies(), [promptId]: reply }));
    if (announce)
      this.enqueue({ kind: "comment", target: reply.target, body: startedComment(this.sessionUrl(meta)) });
  }

  /** Runtime events, with the prompt that was running when they arrived. */
  onRuntimeEvents(meta: SessionMeta, events: AgentEvent[], runningPromptId: string | null): void {
    if (!meta.github) return;
    for (const event of events) {
      if (event.type === "message" && event.role === "assistant")
        this.store.setValue(LAST_MESSAGE_KEY, event.text.slice(0, 20_000));
      if (event.type === "git.push")
        this.enqueue({ kind: "pr.sync", summary: this.store.getValue(LAST_MESSAGE_KEY) });
      if (event.type === "turn.end" && runningPromptId) {
        const reply = this.takeReply(event.promptId ?? runningPromptId);
        if (reply)
          this.enqueue({
            kind: "result",
            target: reply.target,
            login: reply.login,
            outcome: event.status,
            summary: event.summary ?? this.store.getValue(LAST_MESSAGE_KEY),
          });
      }
    }
  }

  /** A session that ended without finishing its GitHub prompts still answers the people who asked. */
  onStatus(meta: SessionMeta, status: SessionStatus, reason: string | undefined): void {
    if (!meta.github || (status !== "failed" && status !== "stopped")) return;
    const all = Object.values(this.replies());
    this.store.setValue(REPLIES_KEY, "{}");
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
    this.scheduler.set("github.sync", Date.now());
  }

  /** The creator's own GitHub token, if they signed in with GitHub recently (ADR 0008). */
  private async userToken(userId: string): Promise<string | null> {
    if (!this.env.SECRETS_MASTER_KEYS) return null;
    const row = await findGithubUserToken(openDatabase(this.env.DB), userId, Date.now());
    if (!row) return null;
    return openUserToken(await loadKeyring(this.env.SECRETS_MASTER_KEYS), row);
  }

  private async openAsUser(
    api: RepoApi,
    meta: SessionMeta,
    input: DraftPull,
    publish: (events: AgentEvent[]) => void,
  ): Promise<Pull | null> {
    let token: string | null;
    try {
      token = await this.userToken(meta.createdBy);
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
    let config: ReturnType<typeof readGithubAppConfig>;
    try {
      config = readGithubAppConfig(this.env);
    } catch {
      config = null;
    }
    if (!config) {
      publish([
        {
          type: "log",
          source: "github",
          stream: "stderr",
          text: "GitHub updates skipped: the GitHub App is not configured\n",
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
        recordPull: (url) =>
          updateSession(
            openDatabase(this.env.DB),
            meta.tenantId,
            meta.sessionId,
            { prUrl: url },
            new Date().toISOString(),
          ),
      },
      Date.now(),
    );
    if (retryAt !== null) this.scheduler.set("github.sync", retryAt);
  }
}
