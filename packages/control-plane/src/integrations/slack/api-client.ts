/**
 * The few Slack Web API methods Nightshift calls, against SLACK_API_URL (a test double or
 * https://slack.com/api). Slack answers most failures as HTTP 200 `{ ok: false, error }`; a 429
 * carries `Retry-After`. Every failure is a SlackApiError the outbox can classify.
 */
import { z } from "zod";

const TIMEOUT_MS = 10_000;
/** Errors that would be the same on a retry: the token is gone, the channel or message is. */
const TRANSIENT_ERRORS = new Set([
  "ratelimited",
  "internal_error",
  "fatal_error",
  "service_unavailable",
  "request_timeout",
]);

export class SlackApiError extends Error {
  constructor(
    message: string,
    readonly kind: "transient" | "permanent",
    /** Slack's own wait (Retry-After), in ms, for a 429. */
    readonly retryAfterMs: number | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

const OkResponse = z.looseObject({ ok: z.boolean(), error: z.string().max(200).optional() });

export const OAuthAccess = z.looseObject({
  ok: z.literal(true),
  access_token: z.string().min(1),
  bot_user_id: z.string().min(1),
  team: z.looseObject({ id: z.string().min(1), name: z.string().max(200).default("") }),
});
export type OAuthAccess = z.infer<typeof OAuthAccess>;

const Posted = z.looseObject({ ok: z.literal(true), channel: z.string(), ts: z.string() });

async function call(
  apiUrl: string,
  method: string,
  init: { token?: string; json?: unknown; form?: Record<string, string> },
): Promise<unknown> {
  const headers: Record<string, string> = {};
  let body: string;
  if (init.form) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    body = new URLSearchParams(init.form).toString();
  } else {
    headers["content-type"] = "application/json; charset=utf-8";
    body = JSON.stringify(init.json ?? {});
  }
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let res: Response;
  try {
    res = await fetch(`${apiUrl}/${method}`, {
      method: "POST",
      headers,
      body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch {
    throw new SlackApiError(`Slack ${method} could not be reached`, "transient");
  }
  if (res.status === 429) {
    await res.body?.cancel();
    const seconds = Number(res.headers.get("retry-after") ?? "");
    const wait = Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 3600) * 1000 : null;
    throw new SlackApiError(`Slack ${method} is rate limited`, "transient", wait, "ratelimited");
  }
  if (res.status >= 500) {
    await res.body?.cancel();
    throw new SlackApiError(`Slack ${method} failed with HTTP ${res.status}`, "transient");
  }
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    throw new SlackApiError(`Slack ${method} answered HTTP ${res.status} without JSON`, "transient");
  }
  const ok = OkResponse.safeParse(json);
  if (!ok.success) throw new SlackApiError(`Slack ${method} answered something unexpected`, "transient");
  if (!ok.data.ok) {
    const code = ok.data.error ?? "unknown_error";
    throw new SlackApiError(
      `Slack ${method} refused: ${code}`,
      TRANSIENT_ERRORS.has(code) ? "transient" : "permanent",
      null,
      code,
    );
  }
  return json;
}

export class SlackApi {
  constructor(
    private readonly apiUrl: string,
    private readonly token: string,
  ) {}

  /** Posts in a thread; returns the new message's ts (the status message is edited through it). */
  async postMessage(channel: string, threadTs: string, text: string): Promise<string> {
    const json = await call(this.apiUrl, "chat.postMessage", {
      token: this.token,
      json: { channel, thread_ts: threadTs, text, unfurl_links: false, unfurl_media: false },
    });
    const posted = Posted.safeParse(json);
    if (!posted.success) throw new SlackApiError("Slack chat.postMessage answered without a ts", "transient");
    return posted.data.ts;
  }

  /** A message only `user` sees (the connect link must not be clickable by anyone else in the channel). */
  async postEphemeral(channel: string, user: string, threadTs: string, text: string): Promise<void> {
    await call(this.apiUrl, "chat.postEphemeral", {
      token: this.token,
      json: { channel, user, thread_ts: threadTs, text },
    });
  }

  async updateMessage(channel: string, ts: string, text: string): Promise<void> {
    await call(this.apiUrl, "chat.update", { token: this.token, json: { channel, ts, text } });
  }
}

/** Exchanges an OAuth v2 code for the workspace's bot token. */
export async function exchangeOAuthCode(
  apiUrl: string,
  client: { clientId: string; clientSecret: string },
  code: string,
  redirectUri: string,
): Promise<OAuthAccess> {
  const json = await call(apiUrl, "oauth.v2.access", {
    form: { client_id: client.clientId, client_secret: client.clientSecret, code, redirect_uri: redirectUri },
  });
  const parsed = OAuthAccess.safeParse(json);
  if (!parsed.success)
    throw new SlackApiError("Slack's oauth.v2.access answer had no bot token", "permanent");
  return parsed.data;
}
