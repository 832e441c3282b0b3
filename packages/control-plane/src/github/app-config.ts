/**
 * The GitHub App's settings, read once from the Worker's env and validated: app id, slug,
 * private key (PKCS#1 or PKCS#8), webhook secret, OAuth client, the REST and web/git base URLs
 * (github.com, GitHub Enterprise Server or the testkit double) and the trigger label.
 * Absent app id and key → null (GitHub App features off); half-configured → a clear error.
 */
import { z } from "zod";
import type { Bindings } from "../env";
import { AppError } from "../http/app-error";
import { normalizePrivateKey, PrivateKeyFormatError } from "./private-key";

export interface GithubAppConfig {
  appId: number;
  slug: string;
  /** PKCS#8 PEM, whatever format the secret was given in. Never logged. */
  privateKey: string;
  webhookSecret: string;
  oauth: { clientId: string; clientSecret: string } | null;
  apiUrl: string;
  webUrl: string;
  triggerLabel: string;
}

export class GithubConfigError extends Error {}

const Url = z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ""));
const Schema = z.object({
  GITHUB_APP_ID: z.coerce.number().int().positive({ message: "GITHUB_APP_ID must be the App's numeric id" }),
  GITHUB_APP_SLUG: z.string().trim().min(1, "GITHUB_APP_SLUG is required (the name in the App's URL)"),
  GITHUB_APP_PRIVATE_KEY: z.string().min(1, "GITHUB_APP_PRIVATE_KEY is required"),
  GITHUB_WEBHOOK_SECRET: z.string().min(16, "GITHUB_WEBHOOK_SECRET must be at least 16 characters"),
  GITHUB_OAUTH_CLIENT_ID: z.string().min(1).optional(),
  GITHUB_OAUTH_CLIENT_SECRET: z.string().min(1).optional(),
  GITHUB_WEB_URL: Url.optional(),
  GITHUB_API_URL: Url.optional(),
  GITHUB_APP_API_URL: Url.optional(),
  GITHUB_APP_WEB_URL: Url.optional(),
  GITHUB_TRIGGER_LABEL: z.string().trim().min(1).optional(),
});

type GithubEnv = Pick<
  Bindings,
  | "GITHUB_APP_ID"
  | "GITHUB_APP_SLUG"
  | "GITHUB_APP_PRIVATE_KEY"
  | "GITHUB_WEBHOOK_SECRET"
  | "GITHUB_OAUTH_CLIENT_ID"
  | "GITHUB_OAUTH_CLIENT_SECRET"
  | "GITHUB_WEB_URL"
  | "GITHUB_API_URL"
  | "GITHUB_APP_API_URL"
  | "GITHUB_APP_WEB_URL"
  | "GITHUB_TRIGGER_LABEL"
>;

// The last settings parsed and their result, per isolate: the values only change with a deploy,
// and parsing converts the private key, which every webhook delivery would otherwise redo.
let last: { source: string; config: GithubAppConfig } | null = null;

/** Parses the App settings; null when no App is configured at all. */
export function readGithubAppConfig(env: GithubEnv): GithubAppConfig | null {
  if (!env.GITHUB_APP_ID && !env.GITHUB_APP_PRIVATE_KEY) return null;
  const source = JSON.stringify(Object.keys(Schema.shape).map((k) => env[k as keyof GithubEnv] ?? null));
  if (last?.source === source) return last.config;
  const config = parseGithubAppConfig(env);
  last = { source, config };
  return config;
}

/**
 * For request handlers: the settings, or null when no App is configured; settings that are set
 * but broken (a malformed key, a missing secret) are a 503 that names them, never "not configured".
 */
export function githubAppConfigOrNull(env: GithubEnv): GithubAppConfig | null {
  try {
    return readGithubAppConfig(env);
  } catch (error) {
    if (error instanceof GithubConfigError) throw new AppError("upstream_unavailable", error.message);
    throw error;
  }
}

function parseGithubAppConfig(env: GithubEnv): GithubAppConfig {
  const parsed = Schema.safeParse(env);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new GithubConfigError(`GitHub App settings are incomplete (${fields}); see docs/github-app.md`);
  }
  const e = parsed.data;
  let privateKey: string;
  try {
    privateKey = normalizePrivateKey(e.GITHUB_APP_PRIVATE_KEY);
  } catch (error) {
    throw new GithubConfigError(
      error instanceof PrivateKeyFormatError ? error.message : "GITHUB_APP_PRIVATE_KEY could not be read",
    );
  }
  // The App-specific URLs win, so one deployment may sign users in on one host and run the App on another (tests do).
  const webUrl = e.GITHUB_APP_WEB_URL ?? e.GITHUB_WEB_URL ?? "https://github.com";
  const apiUrl =
    e.GITHUB_APP_API_URL ??
    e.GITHUB_API_URL ??
    (webUrl === "https://github.com" ? "https://api.github.com" : `${webUrl}/api/v3`);
  return {
    appId: e.GITHUB_APP_ID,
    slug: e.GITHUB_APP_SLUG,
    privateKey,
    webhookSecret: e.GITHUB_WEBHOOK_SECRET,
    oauth:
      e.GITHUB_OAUTH_CLIENT_ID && e.GITHUB_OAUTH_CLIENT_SECRET
        ? { clientId: e.GITHUB_OAUTH_CLIENT_ID, clientSecret: e.GITHUB_OAUTH_CLIENT_SECRET }
        : null,
    apiUrl,
    webUrl,
    triggerLabel: e.GITHUB_TRIGGER_LABEL ?? "agent",
  };
}
