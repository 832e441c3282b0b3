/**
 * How a credential goes into an upstream request. API keys go where the provider's API expects
 * them (providers.ts). A Claude subscription token (`claude setup-token`) is an OAuth access token:
 * the Messages API takes it as `Authorization: Bearer` only together with the OAuth beta flag,
 * added to whatever beta flags the client (Claude Code) already sent.
 */
import type { ModelAccountKind } from "@nightshift/protocol";
import type { ProviderSpec } from "./providers";

export const ANTHROPIC_OAUTH_BETA = "oauth-2025-04-20";

export function injectCredential(
  spec: ProviderSpec,
  headers: Headers,
  credential: { key: string; kind: ModelAccountKind },
): void {
  if (credential.kind !== "subscription_token" || spec.provider !== "anthropic") {
    spec.injectKey(headers, credential.key);
    return;
  }
  headers.delete("x-api-key");
  headers.set("authorization", `Bearer ${credential.key}`);
  const flags = (headers.get("anthropic-beta") ?? "")
    .split(",")
    .map((f) => f.trim())
    .filter(Boolean);
  if (!flags.includes(ANTHROPIC_OAUTH_BETA)) flags.push(ANTHROPIC_OAUTH_BETA);
  headers.set("anthropic-beta", flags.join(","));
}
