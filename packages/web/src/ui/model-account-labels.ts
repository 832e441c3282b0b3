/** Words for model providers, account kinds and who paid, shared by the settings panel and the session view. */
import type { ModelAccountKind, ModelAccountSource, ModelProvider } from "@nightshift/protocol";

export const PROVIDER_LABELS: Record<ModelProvider, string> = {
  anthropic: "Anthropic",
  openai: "OpenAI",
  gemini: "Google Gemini",
};

export const KIND_LABELS: Record<ModelAccountKind, string> = {
  api_key: "API key",
  subscription_token: "Claude subscription token",
};

/**
 * "paid by" as the viewer reads it: the session creator's own account is "your account" to them
 * and "the creator's account" to everyone else.
 */
export function paidByText(paidBy: readonly ModelAccountSource[], viewerCreatedIt: boolean): string | null {
  const words: Record<ModelAccountSource, string> = {
    user: viewerCreatedIt ? "your account" : "the creator's account",
    tenant: "tenant account",
    deployment: "deployment",
    none: "no key (keyless endpoint)",
  };
  return paidBy.length === 0 ? null : paidBy.map((source) => words[source]).join(", ");
}
