/**
 * Carries out what a verified GitHub delivery asked for, after the webhook has been answered:
 * installation sync, a session for a labelled issue, or a follow-up for an @mention on a pull
 * request. Every path first learns the tenant from the installation (unknown → logged, nothing
 * done), then checks the sender's write access before any work starts.
 */
import { openDatabase } from "../../db/client";
import {
  findInstallationTenant,
  removeRepositories,
  unlinkInstallation,
  upsertRepositories,
} from "../../db/repositories/github";
import { findSessionByBranch } from "../../db/repositories/sessions";
import { ensureGithubUser } from "../../db/repositories/users";
import type { Actor, Bindings } from "../../env";
import {
  emptyMentionReply,
  forkReply,
  issuePrompt,
  mentionPrompt,
  noAccessReply,
} from "../../github/messages";
import { replyOn } from "../../github/repo-api";
import type { WebhookAction } from "../../github/webhook-router";
import { AppError } from "../../http/app-error";
import { enforceWebhookRateLimit } from "../../rate-limit/limiter";
import { requireSessionsStopped } from "../../services/session-revocation";
import { createSession, sendPrompt } from "../../services/sessions";
import { canWrite, repoApiFor } from "./access";
import { answerBudgetRefusal } from "./budget-refusal";
import { recordPullMerged } from "./pull-merges";

type TriggerAction = Extract<WebhookAction, { kind: "issue.labeled" | "mention" }>;

export interface TriggerLog {
  info(message: string): void;
}

export async function runWebhookAction(env: Bindings, action: WebhookAction, log: TriggerLog): Promise<void> {
  if (action.kind === "ignore") return;
  const db = openDatabase(env.DB);
  const tenantId = await findInstallationTenant(db, action.installationId);
  if (!tenantId) {
    log.info(`installation ${action.installationId} is not connected to any tenant; ${action.kind} ignored`);
    return;
  }
  switch (action.kind) {
    case "installation.deleted":
      // Stop first: if a session cannot be stopped the delivery is released and redelivered,
      // and the installation (how its tenant is found) is still there for that retry.
      await requireSessionsStopped(env, tenantId, {
        kind: "installation",
        installationId: action.installationId,
      });
      await unlinkInstallation(db, tenantId, action.installationId);
      return;
    case "installation.repositories":
      await upsertRepositories(db, tenantId, action.installationId, action.added);
      // Sessions on a repository the installation no longer grants stop, as for an unlink.
      if (action.removedIds.length > 0)
        await requireSessionsStopped(env, tenantId, {
          kind: "repositories",
          installationId: action.installationId,
          repositoryIds: action.removedIds,
        });
      await removeRepositories(db, tenantId, action.installationId, action.removedIds);
      return;
    case "issue.labeled":
    case "mention":
      try {
        await enforceWebhookRateLimit(env, tenantId);
      } catch (error) {
        if (error instanceof AppError && error.status === 429) {
          log.info(`tenant ${tenantId} is over its webhook rate limit; ${action.kind} dropped`);
          return;
        }
        throw error;
      }
      return startFromGithub(env, tenantId, action, log).catch((error: unknown) =>
        answerBudgetRefusal(env, tenantId, action, error, log),
      );
    case "pull.merged":
      return recordPullMerged(db, tenantId, action, log);
  }
}

async function startFromGithub(env: Bindings, tenantId: string, action: TriggerAction, log: TriggerLog) {
  const db = openDatabase(env.DB);
  const row = { ...action.repo, installationId: action.installationId, tenantId };
  const api = repoApiFor(env, row);
  const replyTarget =
    action.kind === "issue.labeled" ? { kind: "issue" as const, number: action.issue.number } : action.reply;
  const answer = (body: string) => replyOn(api, replyTarget, body);

  if (!(await canWrite(env, tenantId, row, action.sender.login))) {
    log.info(`@${action.sender.login} has no write access to ${row.owner}/${row.name}; answered politely`);
    await answer(noAccessReply(action.sender.login, `${row.owner}/${row.name}`));
    return;
  }
  // GitHub delivered it for this installation and minted a token for it, so the installation grants it.
  await upsertRepositories(db, tenantId, action.installationId, [action.repo]);
  const user = await ensureGithubUser(db, { githubId: action.sender.id, login: action.sender.login });
  const actor: Actor = {
    tenantId,
    userId: user.id,
    role: "member",
    name: user.name,
    login: user.login,
    via: "integration",
  };
  const repo = { kind: "github" as const, owner: row.owner, name: row.name };
  const reply = { target: replyTarget, login: action.sender.login };

  if (action.kind === "issue.labeled") {
    const session = await createSession(
      env,
      actor,
      { repo, title: action.issue.title, prompt: issuePrompt(action.issue) },
      "github",
      {
        github: {
          installationId: row.installationId,
          repositoryId: row.id,
          issue: action.issue.number,
          requestedBy: action.sender.login,
        },
        reply: { ...reply, announce: true },
      },
    );
    log.info(`issue #${action.issue.number} on ${row.owner}/${row.name} started session ${session.id}`);
    return;
  }

  if (!action.text) {
    await answer(emptyMentionReply(action.sender.login));
    return;
  }
  const pull = await api.getPull(action.pull.number);
  if (pull.head.repo && pull.head.repo.id !== row.id) {
    await answer(forkReply(action.sender.login));
    return;
  }
  const prompt = mentionPrompt(action.text, action.pull, action.sender.login);
  const existing = await findSessionByBranch(db, tenantId, repo, pull.head.ref);
  if (existing) {
    try {
      await sendPrompt(env, actor, existing.id, prompt, { ...reply, announce: false });
      log.info(`mention on #${action.pull.number} queued on session ${existing.id}`);
      return;
    } catch (error) {
      // A finished session takes no more prompts: continue the branch in a new one.
      // So does one at its turn or wall-time cap (budget_exhausted).
      if (!(error instanceof AppError && ["session_closed", "budget_exhausted"].includes(error.code)))
        throw error;
    }
  }
  const session = await createSession(
    env,
    actor,
    { repo, title: action.pull.title, prompt, baseBranch: pull.base.ref },
    "github",
    {
      branch: pull.head.ref,
      github: {
        installationId: row.installationId,
        repositoryId: row.id,
        issue: null,
        requestedBy: action.sender.login,
      },
      reply: { ...reply, announce: true },
    },
  );
  log.info(`mention on #${action.pull.number} started session ${session.id} on ${pull.head.ref}`);
}
