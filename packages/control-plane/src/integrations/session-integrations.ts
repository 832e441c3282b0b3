/**
 * A session's replies to the places its work came from: GitHub's (comments and the pull request,
 * session/session-github.ts) and the `SessionReplies` of Slack and Linear (port.ts). The session
 * DO tells this one object what happened; each integration decides whether it has anything to say
 * and sends it from its own alarm deadline.
 */
import type { AgentEvent, SessionStatus } from "@nightshift/protocol";
import type { Bindings } from "../env";
import { sessionGithubFor } from "../session/capabilities";
import type { MetaStore } from "../session/meta-store";
import type { NewPrompt } from "../session/rpc-types";
import type { DeadlineWork, Scheduler } from "../session/scheduler";
import type { SessionGithub } from "../session/session-github";
import type { SessionMeta } from "../session/store";
import { sessionLinearFor } from "./linear/session-parts";
import type { SessionReplies } from "./port";
import { sessionSlackFor } from "./slack/session-parts";

export class SessionIntegrations {
  private readonly github: SessionGithub;
  private readonly replies: SessionReplies[];

  constructor(env: Bindings, meta: MetaStore, scheduler: Pick<Scheduler, "set">, now: () => number) {
    this.github = sessionGithubFor(env, meta, scheduler, now);
    // Slack's and Linear's summaries wait for the pull request GitHub's outbox is still opening.
    const pullPending = () => this.github.pullPending();
    this.replies = [
      sessionSlackFor(env, meta, scheduler, pullPending, now),
      sessionLinearFor(env, meta, scheduler, pullPending, now),
    ];
  }

  promptAccepted(meta: SessionMeta, prompt: NewPrompt): void {
    const { github } = prompt;
    if (github) this.github.promptFromGithub(meta, prompt.id, github, github.announce);
    for (const replies of this.replies) replies.promptAccepted(meta);
  }

  onStatus(meta: SessionMeta, status: SessionStatus, reason: string | undefined): void {
    this.github.onStatus(meta, status, reason);
    for (const replies of this.replies) replies.onStatus(meta, status, reason);
  }

  onRuntimeEvents(meta: SessionMeta, events: AgentEvent[], runningPromptId: string | null): void {
    this.github.onRuntimeEvents(meta, events, runningPromptId);
    for (const replies of this.replies) replies.onRuntimeEvents(meta, events);
  }

  /** The alarm's work for each integration's outbox deadline. */
  deadlines(meta: () => SessionMeta, publish: (events: AgentEvent[]) => void): DeadlineWork {
    return {
      "github.sync": () => this.github.flush(meta(), publish),
      ...Object.fromEntries(
        this.replies.map((replies) => [replies.deadline, () => replies.flush(meta(), publish)]),
      ),
    };
  }
}
