/**
 * The sign-in settings, read from the Worker's vars and secrets and checked with zod. Errors name
 * the variable and how to fix it, never its value.
 */
import { z } from "zod";
import type { Bindings } from "../env";
import { AppError } from "../http/app-error";

const httpUrl = z
  .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
  .transform((u) => u.replace(/\/+$/, ""));

const AuthVars = z.object({
  SESSION_SECRET: z
    .string({ error: "is not set" })
    .min(32, "must be at least 32 characters (openssl rand -base64 32)"),
  NIGHTSHIFT_MODE: z.string().default("cloud"),
  NIGHTSHIFT_DEV_LOGIN: z.enum(["0", "1", ""]).default("0"),
  PUBLIC_URL: httpUrl.optional(),
  ALLOWED_ORIGINS: z
    .string()
    .default("")
    .transform((s) =>
      s
        .split(",")
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url({ protocol: /^https?$/, error: "each entry must be an http(s) origin" }))),
  GITHUB_OAUTH_CLIENT_ID: z.string().min(1).optional(),
  GITHUB_OAUTH_CLIENT_SECRET: z.string().min(1).optional(),
  GITHUB_WEB_URL: httpUrl.default("https://github.com"),
  GITHUB_API_URL: httpUrl.optional(),
});

export interface AuthConfig {
  sessionKey: Uint8Array;
  localMode: boolean;
  devLoginEnabled: boolean;
  publicUrl: string | null;
  /** Extra origins (a dashboard dev server) allowed to send cookie-authenticated writes. */
  allowedOrigins: string[];
  github: { clientId: string; clientSecret: string; webUrl: string; apiUrl: string } | null;
}

/** GitHub.com serves its API on another host; GitHub Enterprise Server under /api/v3. */
function defaultApiUrl(webUrl: string): string {
  return webUrl === "https://github.com" ? "https://api.github.com" : `${webUrl}/api/v3`;
}

const emptyToUndefined = (v: string | undefined) => (v === "" ? undefined : v);

export function readAuthConfig(env: Bindings): AuthConfig {
  const parsed = AuthVars.safeParse({
    SESSION_SECRET: env.SESSION_SECRET,
    NIGHTSHIFT_MODE: env.NIGHTSHIFT_MODE,
    NIGHTSHIFT_DEV_LOGIN: env.NIGHTSHIFT_DEV_LOGIN,
    PUBLIC_URL: emptyToUndefined(env.PUBLIC_URL),
    ALLOWED_ORIGINS: env.ALLOWED_ORIGINS,
    GITHUB_OAUTH_CLIENT_ID: emptyToUndefined(env.GITHUB_OAUTH_CLIENT_ID),
    GITHUB_OAUTH_CLIENT_SECRET: emptyToUndefined(env.GITHUB_OAUTH_CLIENT_SECRET),
    GITHUB_WEB_URL: emptyToUndefined(env.GITHUB_WEB_URL),
    GITHUB_API_URL: emptyToUndefined(env.GITHUB_API_URL),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? "configuration");
    // Logged by the error handler; the caller sees a 500 with a request id.
    throw new Error(`${name} ${issue?.message ?? "is invalid"}; see docs/security.md and .dev.vars.example`);
  }
  const v = parsed.data;
  const github =
    v.GITHUB_OAUTH_CLIENT_ID && v.GITHUB_OAUTH_CLIENT_SECRET
      ? {
          clientId: v.GITHUB_OAUTH_CLIENT_ID,
          clientSecret: v.GITHUB_OAUTH_CLIENT_SECRET,
          webUrl: v.GITHUB_WEB_URL,
          apiUrl: v.GITHUB_API_URL ?? defaultApiUrl(v.GITHUB_WEB_URL),
        }
      : null;
  return {
    sessionKey: new TextEncoder().encode(v.SESSION_SECRET),
    localMode: v.NIGHTSHIFT_MODE === "local",
    devLoginEnabled: v.NIGHTSHIFT_MODE === "local" && v.NIGHTSHIFT_DEV_LOGIN === "1",
    publicUrl: v.PUBLIC_URL ?? null,
    allowedOrigins: v.ALLOWED_ORIGINS.map((o) => new URL(o).origin),
    github,
  };
}

export function requireGithub(config: AuthConfig): NonNullable<AuthConfig["github"]> {
  if (!config.github) {
    throw new AppError(
      "upstream_unavailable",
      "GitHub sign-in is not configured: set GITHUB_OAUTH_CLIENT_ID and GITHUB_OAUTH_CLIENT_SECRET" +
        " (locally, use the dev login instead: POST /auth/dev-login)",
    );
  }
  return config.github;
}
