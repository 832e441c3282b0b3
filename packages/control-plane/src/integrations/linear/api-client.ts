/**
 * The few Linear API calls Nightshift makes, against LINEAR_API_URL (a test double or
 * https://api.linear.app): the OAuth token exchange and refresh, and GraphQL mutations and queries.
 * Linear answers GraphQL failures as `{ errors: [{ message, extensions: { code } }] }`, with HTTP
 * 200 or a 4xx/5xx; a 429 or a RATELIMITED code is rate limiting. Every failure is a LinearApiError
 * the outbox can classify: `auth` (the token is refused: refresh once), `transient`, `permanent`.
 */
import { z } from "zod";

const TIMEOUT_MS = 10_000;
const TRANSIENT_CODES = new Set(["RATELIMITED", "INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE"]);
const AUTH_CODES = new Set(["AUTHENTICATION_ERROR", "UNAUTHENTICATED"]);

export class LinearApiError extends Error {
  constructor(
    message: string,
    readonly kind: "auth" | "transient" | "permanent",
    /** Linear's own wait, in ms, when it named one (Retry-After on a 429). */
    readonly retryAfterMs: number | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

const GraphqlResponse = z.looseObject({
  data: z.unknown().optional(),
  errors: z
    .array(
      z.looseObject({
        message: z.string().max(2_000).optional(),
        extensions: z.looseObject({ code: z.string().max(100).optional() }).optional(),
      }),
    )
    .optional(),
});

export const TokenResponse = z.looseObject({
  access_token: z.string().min(1).max(4_000),
  refresh_token: z.string().min(1).max(4_000).optional(),
  expires_in: z.number().int().positive().optional(),
});
export type LinearTokens = { accessToken: string; refreshToken: string | null; expiresAt: number | null };

function retryAfterOf(res: Response): number | null {
  const seconds = Number(res.headers.get("retry-after") ?? "");
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 3600) * 1000 : null;
}

async function send(url: string, init: RequestInit, what: string): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch {
    throw new LinearApiError(`Linear ${what} could not be reached`, "transient");
  }
}

/** Exchanges an authorization code, or a refresh token, for tokens (form-encoded, as Linear asks). */
export async function requestTokens(
  apiUrl: string,
  client: { clientId: string; clientSecret: string },
  grant: { code: string; redirectUri: string } | { refreshToken: string },
  now: number,
): Promise<LinearTokens> {
  const form: Record<string, string> =
    "code" in grant
      ? { grant_type: "authorization_code", code: grant.code, redirect_uri: grant.redirectUri }
      : { grant_type: "refresh_token", refresh_token: grant.refreshToken };
  const res = await send(
    `${apiUrl}/oauth/token`,
    {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ ...form, client_id: client.clientId, client_secret: client.clientSecret }),
    },
    "token exchange",
  );
  if (res.status === 429 || res.status >= 500) {
    await res.body?.cancel();
    throw new LinearApiError(
      `Linear token exchange failed with HTTP ${res.status}`,
      "transient",
      retryAfterOf(res),
    );
  }
  const json: unknown = await res.json().catch(() => null);
  const parsed = TokenResponse.safeParse(json);
  if (!res.ok || !parsed.success) {
    const code = (json as { error?: unknown } | null)?.error;
    throw new LinearApiError(
      `Linear refused the token request (${typeof code === "string" ? code.slice(0, 60) : `HTTP ${res.status}`})`,
      "permanent",
      null,
      typeof code === "string" ? code.slice(0, 60) : null,
    );
  }
  return {
    accessToken: parsed.data.access_token,
    refreshToken: parsed.data.refresh_token ?? null,
    expiresAt: parsed.data.expires_in ? now + parsed.data.expires_in * 1000 : null,
  };
}

/** One GraphQL operation with an access token; returns `data`, or throws a classified LinearApiError. */
export async function graphql(
  apiUrl: string,
  token: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<unknown> {
  const res = await send(
    `${apiUrl}/graphql`,
    {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    },
    "GraphQL",
  );
  const json: unknown = await res.json().catch(() => null);
  const parsed = GraphqlResponse.safeParse(json);
  const first = parsed.success ? parsed.data.errors?.[0] : undefined;
  const code = first?.extensions?.code ?? null;
  const message = first?.message?.slice(0, 200) ?? `HTTP ${res.status}`;
  if (res.status === 401 || (code && AUTH_CODES.has(code)))
    throw new LinearApiError(`Linear refused the token: ${message}`, "auth", null, code);
  if (res.status === 429 || code === "RATELIMITED")
    throw new LinearApiError("Linear is rate limiting", "transient", retryAfterOf(res), "RATELIMITED");
  if (res.status >= 500 || (code && TRANSIENT_CODES.has(code)))
    throw new LinearApiError(`Linear failed: ${message}`, "transient", retryAfterOf(res), code);
  if (!parsed.success) throw new LinearApiError("Linear answered something that is not GraphQL", "transient");
  if (first || !res.ok) throw new LinearApiError(`Linear refused: ${message}`, "permanent", null, code);
  return parsed.data.data;
}
