/**
 * A GitHub trigger refused for budget (the tenant's monthly budget is used up, or a session's cap
 * is reached): the person who asked reads why on GitHub, and the delivery counts as handled. A
 * redelivery would only be refused again, and a silent failure leaves them waiting.
 */
import type { Bindings } from "../../env";
import { replyOn } from "../../github/repo-api";
import type { WebhookAction } from "../../github/webhook-router";
import { AppError } from "../../http/app-error";
import { repoApiFor } from "./access";
import type { TriggerLog } from "./triggers";

type TriggerAction = Extract<WebhookAction, { kind: "issue.labeled" | "mention" }>;

export async function answerBudgetRefusal(
  env: Bindings,
  tenantId: string,
  action: TriggerAction,
  error: unknown,
  log: TriggerLog,
): Promise<void> {
  if (!(error instanceof AppError && error.code === "budget_exhausted")) throw error;
  const row = { ...action.repo, installationId: action.installationId, tenantId };
  const target =
    action.kind === "issue.labeled" ? { kind: "issue" as const, number: action.issue.number } : action.reply;
  await replyOn(
    repoApiFor(env, row),
    target,
    `Hi @${action.sender.login}, I can't start on this: ${error.message}`,
  );
  log.info(`${action.kind} on ${row.owner}/${row.name} refused for budget; answered on GitHub`);
}
