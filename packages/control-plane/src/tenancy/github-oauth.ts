/**
 * GitHub's OAuth web flow, as GitHub.com and GitHub Enterprise Server speak it: the authorize
 * URL (with PKCE), the code-for-token exchange, and the signed-in user's profile.
 */
import { z } from "zod";
import type { GithubProfile } from "../db/repositories/users";
import { classifyStatus, type FailureKind } from "../github/failure";
import { AppError } from "../http/app-error";
import type { AuthConfig } from "./auth-config";

type GithubConfig = NonNullable<AuthConfig["github"]>;

const TIMEOUT_MS = 10_000;
const SCOPES = "read:user user:email";

export function authorizeUrl(
  gh: GithubConfig,
  p: { redirectUri: string; state: string; challenge: string },
): string {
  const url = new URL(`${gh.webUrl}/login/oauth/authorize`);
  url.searchParams.set("client_id", gh.clientId);
  url.searchParams.set("redirect_uri", p.redirectUri);
  url.searchParams.set("scope", SCOPES);
  url.searchParams.set("state", p.state);
  url.searchParams.set("code_challenge", p.challenge);
  url.searchParams.set("code_challenge_method", "S256");
  url.searchParams.set("allow_signup", "true");
  return url.toString();
}

// GitHub answers token errors with 200 and an `error` field.
const TokenResponse = z.union([
  z.object({
    access_token: z.string().min(1),
    token_type: z.string(),
    /** Seconds; GitHub App user tokens expire (8 h by default), OAuth App tokens do not say. */
    expires_in: z.number().int().positive().optional(),
  }),
  z.object({ error: z.string(), error_description: z.string().optional() }),
]);

const GithubUser = z.object({
  id: z.number().int().positive(),
  login: z.string().min(1).max(100),
  name: z.string().nullable().optional(),
  email: z.string().nullable().optional(),
  avatar_url: z.string().nullable().optional(),
});

const GithubEmails = z.array(z.object({ email: z.string(), primary: z.boolean(), verified: z.boolean() }));

/** `kind` comes from github/failure.ts's classifyStatus; an answer we cannot read is permanent. */
function unreachable(what: string, detail: string, kind: FailureKind = "permanent"): AppError {
  const code = kind === "transient" ? "upstream_unavailable" : "upstream_failed";
  return new AppError(code, `GitHub ${what} failed (${detail}); try signing in again`);
}

async function call(what: string, url: string, init: RequestInit): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    throw unreachable(
      what,
      err instanceof Error && err.name === "TimeoutError" ? "timed out" : "unreachable",
      classifyStatus(null),
    );
  }
  if (res.status === 401) throw new AppError("unauthorized", "GitHub did not accept the sign-in; try again");
  if (!res.ok) throw unreachable(what, `HTTP ${res.status}`, classifyStatus(res.status, res.headers));
  try {
    return await res.json();
  } catch {
    throw unreachable(what, "the answer was not JSON");
  }
}

export interface UserToken {
  token: string;
  /** Seconds until GitHub expires it, when GitHub says. */
  expiresIn: number | null;
}

// Not @octokit/oauth-methods' exchangeWebFlowCode: its 6.0.5 (latest) sends no code_verifier, so PKCE would be lost.
export async function exchangeCode(
  gh: GithubConfig,
  p: { code: string; redirectUri: string; verifier: string },
): Promise<UserToken> {
  const body = new URLSearchParams({
    client_id: gh.clientId,
    client_secret: gh.clientSecret,
    code: p.code,
    redirect_uri: p.redirectUri,
    code_verifier: p.verifier,
  });
  const raw = await call("token exchange", `${gh.webUrl}/login/oauth/access_token`, {
    method: "POST",
    headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded" },
    body,
  });
  const parsed = TokenResponse.safeParse(raw);
  if (!parsed.success) throw unreachable("token exchange", "unexpected answer");
  if ("error" in parsed.data) {
    throw new AppError(
      "unauthorized",
      `GitHub refused the sign-in (${parsed.data.error.slice(0, 60)}); try again`,
    );
  }
  return { token: parsed.data.access_token, expiresIn: parsed.data.expires_in ?? null };
}

/** The headers of a REST call made with a user's token. */
export function apiHeaders(token: string): HeadersInit {
  return {
    authorization: `Bearer ${token}`,
    accept: "application/vnd.github+json",
    "x-github-api-version": "2022-11-28",
    "user-agent": "nightshift",
  };
}

export async function fetchProfile(gh: GithubConfig, token: string): Promise<GithubProfile> {
  const parsed = GithubUser.safeParse(
    await call("profile lookup", `${gh.apiUrl}/user`, { headers: apiHeaders(token) }),
  );
  if (!parsed.success) throw unreachable("profile lookup", "unexpected answer");
  const u = parsed.data;
  let email = u.email ?? null;
  if (!email) {
    const emails = GithubEmails.safeParse(
      await call("email lookup", `${gh.apiUrl}/user/emails`, { headers: apiHeaders(token) }),
    );
    email = (emails.success && emails.data.find((e) => e.primary && e.verified)?.email) || null;
  }
  return {
    githubId: u.id,
    login: u.login,
    name: u.name?.trim() || u.login,
    // GitHub's documented no-reply form, when the user keeps every address private.
    email: email ?? `${u.id}+${u.login}@users.noreply.github.com`,
    avatarUrl: u.avatar_url ?? null,
  };
}
