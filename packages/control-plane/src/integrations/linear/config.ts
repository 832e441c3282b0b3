/** The Linear app's settings from the environment (docs/linear-app.md). */
import type { Bindings } from "../../env";
import { AppError } from "../../http/app-error";

export interface LinearConfig {
  clientId: string | null;
  clientSecret: string | null;
  webhookSecret: string;
  /** GraphQL lives at `${apiUrl}/graphql`, token exchange at `${apiUrl}/oauth/token`. */
  apiUrl: string;
  /** Where the browser is sent to authorize (`${webUrl}/oauth/authorize`). */
  webUrl: string;
}

const DEFAULT_API_URL = "https://api.linear.app";
const DEFAULT_WEB_URL = "https://linear.app";

/** The settings, or null when no webhook signing secret is set (Linear is then not offered at all). */
export function linearConfigOrNull(env: Bindings): LinearConfig | null {
  const webhookSecret = env.LINEAR_WEBHOOK_SECRET?.trim();
  if (!webhookSecret) return null;
  return {
    clientId: env.LINEAR_CLIENT_ID?.trim() || null,
    clientSecret: env.LINEAR_CLIENT_SECRET?.trim() || null,
    webhookSecret,
    apiUrl: (env.LINEAR_API_URL?.trim() || DEFAULT_API_URL).replace(/\/+$/, ""),
    webUrl: (env.LINEAR_WEB_URL?.trim() || DEFAULT_WEB_URL).replace(/\/+$/, ""),
  };
}

export function requireLinear(env: Bindings): LinearConfig {
  const config = linearConfigOrNull(env);
  if (!config) throw new AppError("not_found", "Linear is not configured here; see docs/linear-app.md");
  return config;
}

export type LinearOAuthConfig = LinearConfig & { clientId: string; clientSecret: string };

/** The settings with the OAuth client that installing and refreshing need, or a 503 naming what is missing. */
export function requireLinearOAuth(env: Bindings): LinearOAuthConfig {
  const config = requireLinear(env);
  if (!config.clientId || !config.clientSecret)
    throw new AppError(
      "upstream_unavailable",
      "Linear needs the app's OAuth client (LINEAR_CLIENT_ID and LINEAR_CLIENT_SECRET); see docs/linear-app.md",
    );
  return { ...config, clientId: config.clientId, clientSecret: config.clientSecret };
}
