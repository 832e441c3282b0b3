/**
 * How to send an automation its deliveries, as text to paste: for a plain webhook a shell snippet
 * that signs a JSON body the Standard Webhooks way (HMAC-SHA256 over "id.timestamp.body" with the
 * base64-decoded secret, sent as `webhook-signature: v1,<base64>`) with openssl and curl; for the
 * presets, where in Sentry or GitHub the URL and the secret go.
 */
import type { AutomationTriggerKind } from "@nightshift/protocol";

/** Single-quoted for a POSIX shell: nothing inside is expanded. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'"'"'`)}'`;
}

export function curlHint(url: string, secret: string, body = '{"hello":"world"}'): string {
  return [
    `SECRET=${shellQuote(secret)}`,
    `URL=${shellQuote(url)}`,
    `BODY=${shellQuote(body)}`,
    'ID="msg_$(date +%s)_$$"; TS="$(date +%s)"',
    `KEY="$(printf %s "\${SECRET#whsec_}" | base64 -d | od -An -v -tx1 | tr -d ' \\n')"`,
    'SIG="$(printf %s "$ID.$TS.$BODY" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$KEY" -binary | base64)"',
    'curl -sS -X POST "$URL" -H "content-type: application/json" \\',
    '  -H "webhook-id: $ID" -H "webhook-timestamp: $TS" -H "webhook-signature: v1,$SIG" \\',
    '  --data "$BODY"',
  ].join("\n");
}

/** Where the URL and the secret go for a preset; null for a plain webhook (the curl hint says it). */
export function presetSetup(kind: AutomationTriggerKind): string | null {
  if (kind === "sentry") {
    return "In Sentry: Settings → Developer Settings → your internal integration → Webhook URL: the URL above, with Issue alerts turned on. Sentry signs each alert (sentry-hook-signature) with the integration's client secret.";
  }
  if (kind === "github_actions") {
    return "In GitHub: the repository's (or organization's) Settings → Webhooks → Add webhook: Payload URL the URL above, content type application/json, Secret the secret above, and only the “Workflow runs” event.";
  }
  return null;
}
