/**
 * Signs and sends Slack Events API deliveries the way Slack does: `X-Slack-Signature: v0=<hex
 * HMAC-SHA256 of "v0:<ts>:<body>">` and `X-Slack-Request-Timestamp`, optionally as a retry
 * (`X-Slack-Retry-Num`). Works in Node and in workerd (Web Crypto only).
 */

const encoder = new TextEncoder();

export async function slackSignature(secret: string, timestamp: number, body: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(
    await crypto.subtle.sign("HMAC", key, encoder.encode(`v0:${timestamp}:${body}`)),
  );
  return `v0=${[...mac].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

export interface SignedEventOptions {
  /** Unix seconds; default now. */
  timestamp?: number;
  retryNum?: number;
  /** Overrides the computed signature (forgeries). */
  signature?: string;
}

/** The headers and body of a signed delivery, for callers that send it themselves. */
export async function signedSlackEvent(
  secret: string,
  payload: unknown,
  options: SignedEventOptions = {},
): Promise<{ headers: Record<string, string>; body: string }> {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-slack-request-timestamp": String(timestamp),
    "x-slack-signature": options.signature ?? (await slackSignature(secret, timestamp, body)),
  };
  if (options.retryNum !== undefined) {
    headers["x-slack-retry-num"] = String(options.retryNum);
    headers["x-slack-retry-reason"] = "http_timeout";
  }
  return { headers, body };
}

export async function sendSlackEvent(
  url: string,
  secret: string,
  payload: unknown,
  options: SignedEventOptions = {},
): Promise<Response> {
  const { headers, body } = await signedSlackEvent(secret, payload, options);
  return fetch(url, { method: "POST", headers, body });
}

let counter = 0;

/** An `app_mention` (or, with `direct`, a DM `message`) envelope as Slack sends it. */
export function mentionEvent(input: {
  teamId: string;
  user: string;
  channel: string;
  text: string;
  botUserId?: string;
  threadTs?: string;
  ts?: string;
  direct?: boolean;
  eventId?: string;
}): Record<string, unknown> {
  counter += 1;
  const ts = input.ts ?? `${1_700_000_000 + counter}.${String(counter).padStart(6, "0")}`;
  const event: Record<string, unknown> = input.direct
    ? {
        type: "message",
        channel_type: "im",
        user: input.user,
        text: input.text,
        ts,
        channel: input.channel,
        event_ts: ts,
      }
    : {
        type: "app_mention",
        user: input.user,
        text: `<@${input.botUserId ?? "U0BOT"}> ${input.text}`,
        ts,
        channel: input.channel,
        event_ts: ts,
      };
  if (input.threadTs) event.thread_ts = input.threadTs;
  return {
    token: "XXYYZZ",
    team_id: input.teamId,
    api_app_id: "A0NIGHTSHIFT",
    event,
    type: "event_callback",
    event_id: input.eventId ?? `Ev${Date.now().toString(36).toUpperCase()}${counter}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: input.teamId, user_id: input.botUserId ?? "U0BOT", is_bot: true }],
  };
}
