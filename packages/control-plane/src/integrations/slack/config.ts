/** The Slack app's settings from the environment (docs/slack-app.md). */
import type { Bindings } from "../../env";
import { AppError } from "../../http/app-error";

export interface SlackConfig {
  clientId: string | null;
  clientSecret: string | null;
  /** The current signing secret first, then the previous one while a rotation is under way. */
  signingSecrets: string[];
  apiUrl: string;
  webUrl: string;
}

const DEFAULT_API_URL = "https://slack.com/api";
const DEFAULT_WEB_URL = "https://slack.com";

/** The settings, or null when no signing secret is set (Slack is then not offered at all). */
export function slackConfigOrNull(env: Bindings): SlackConfig | null {
  const current = env.SLACK_SIGNING_SECRET?.trim();
  if (!current) return null;
  const previous = env.SLACK_SIGNING_SECRET_PREVIOUS?.trim();
  return {
    clientId: env.SLACK_CLIENT_ID?.trim() || null,
    clientSecret: env.SLACK_CLIENT_SECRET?.trim() || null,
    signingSecrets: previous ? [current, previous] : [current],
    apiUrl: (env.SLACK_API_URL?.trim() || DEFAULT_API_URL).replace(/\/+$/, ""),
    webUrl: (env.SLACK_WEB_URL?.trim() || DEFAULT_WEB_URL).replace(/\/+$/, ""),
  };
}

export function requireSlack(env: Bindings): SlackConfig {
  const config = slackConfigOrNull(env);
  if (!config) throw new AppError("not_found", "Slack is not configured here; see docs/slack-app.md");
  return config;
}

/** The settings with the OAuth client that installing needs, or a 503 naming what is missing. */
export function requireSlackOAuth(env: Bindings): SlackConfig & { clientId: string; clientSecret: string } {
  const config = requireSlack(env);
  if (!config.clientId || !config.clientSecret)
    throw new AppError(
      "upstream_unavailable",
      "installing Slack needs the app's OAuth client (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET); see docs/slack-app.md",
    );
  return { ...config, clientId: config.clientId, clientSecret: config.clientSecret };
}
