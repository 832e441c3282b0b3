/**
 * One turn's `usage` event from the tokens a CLI reported. The cost is the CLI's own figure when it
 * gives one (Claude Code, OpenCode, Pi); otherwise the model's list price times the tokens (Codex,
 * Gemini CLI report tokens only); and absent when the price table does not know the model, so the
 * dashboard shows "unknown" rather than a made-up $0.
 */
import {
  type AgentEvent,
  costAt,
  listedPriceOf,
  type ModelProvider,
  providerOfModel,
} from "@nightshift/protocol";

export interface TurnTokens {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
}

export interface UsageSource {
  model?: string;
  /** The API the model was called through, when the adapter knows it better than the model name. */
  provider?: ModelProvider;
  /** The CLI's own cost for this turn, if it reported one. */
  reportedCostUsd?: number;
}

const whole = (n: number | undefined) => Math.max(0, Math.round(n ?? 0));

/** The cost at list price, or undefined when the model (or its provider) is unknown. */
export function listPriceCost(tokens: TurnTokens, model: string | undefined, provider?: ModelProvider) {
  if (!model) return undefined;
  const family = provider ?? providerOfModel(model);
  const price = family ? listedPriceOf(family, model) : null;
  if (!price) return undefined;
  return costAt(price, {
    inputTokens: whole(tokens.inputTokens),
    outputTokens: whole(tokens.outputTokens),
    cacheReadTokens: whole(tokens.cacheReadTokens),
    cacheCreationTokens: whole(tokens.cacheWriteTokens),
  });
}

/** Null when the turn used no tokens and cost nothing (nothing worth an event). */
export function usageEvent(tokens: TurnTokens, source: UsageSource): AgentEvent | null {
  const event = {
    type: "usage" as const,
    inputTokens: whole(tokens.inputTokens),
    outputTokens: whole(tokens.outputTokens),
    cacheReadTokens: whole(tokens.cacheReadTokens),
    cacheWriteTokens: whole(tokens.cacheWriteTokens),
  };
  const reported =
    source.reportedCostUsd !== undefined && Number.isFinite(source.reportedCostUsd)
      ? Math.max(0, source.reportedCostUsd)
      : undefined;
  const costUsd = reported ?? listPriceCost(tokens, source.model, source.provider);
  const anyTokens =
    event.inputTokens + event.outputTokens + event.cacheReadTokens + event.cacheWriteTokens > 0;
  if (!anyTokens && !costUsd) return null;
  return {
    ...event,
    ...(costUsd !== undefined ? { costUsd } : {}),
    ...(source.model ? { model: source.model.slice(0, 200) } : {}),
  };
}
