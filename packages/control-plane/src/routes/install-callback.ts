/**
 * The OAuth install round trip shared by the workspace integrations (Slack, Linear) and GitHub's
 * connect: the redirect URI a provider sends the browser back to, the check that the browser
 * finishing an install is signed in as the user who started it, and the `/auth/<provider>/callback`
 * route that ends on Settings with the outcome in the query.
 */
import type { Context } from "hono";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv, Bindings } from "../env";
import { AppError } from "../http/app-error";
import { queryOf } from "../http/validate";
import * as auth from "../services/auth";
import { readAuthConfig } from "../tenancy/auth-config";
import { siteOrigin } from "../tenancy/request-origin";
import { readSessionCookie, verifySessionToken } from "../tenancy/session-cookie";

/** Where the provider sends the browser after an install: `<site>/auth/<slug>/callback`. */
export function installCallbackUrl(c: Context<AppEnv>, slug: string): string {
  return `${siteOrigin(readAuthConfig(c.env), c.req.raw)}/auth/${slug}/callback`;
}

/**
 * Refuses unless this browser's session cookie is valid and its sign-in still live for `userId`,
 * so a stranger's install link cannot bind a victim's workspace to the stranger's tenant (or the
 * victim's install into the stranger's). A signed cookie outlives a logout, hence the live check.
 */
export async function requireInstallingUser(
  c: Context<AppEnv>,
  sessionKey: Uint8Array,
  userId: string,
  providerName: string,
): Promise<void> {
  const token = readSessionCookie(c);
  const session = token ? await verifySessionToken(sessionKey, token, Math.floor(Date.now() / 1000)) : null;
  const liveUser = session ? await auth.liveSignInUser(c.env, session.sid) : null;
  if (session?.sub !== userId || liveUser !== userId)
    throw new AppError(
      "forbidden",
      `sign in to Nightshift as the user who started connecting ${providerName}, then start again`,
    );
}

const CallbackQuery = z.object({
  code: z.string().min(1).max(500).optional(),
  state: z.string().min(1).max(4_000).optional(),
  error: z.string().max(200).optional(),
});

export interface InstallCallback<Claims extends { userId: string }> {
  /** The URL path segment and Settings query key, such as `slack`. */
  slug: string;
  /** How a person calls the provider, such as `Slack`. */
  providerName: string;
  readState(sessionKey: Uint8Array, state: string): Promise<Claims | null>;
  complete(env: Bindings, claims: Claims, code: string, redirectUri: string): Promise<unknown>;
}

/** GET /callback: finishes an install and redirects to Settings with `<slug>=connected` or an error message. */
export function installCallbackRoutes<Claims extends { userId: string }>(provider: InstallCallback<Claims>) {
  const { slug, providerName } = provider;
  const settingsRedirect = (c: Context<AppEnv>, outcome: { ok: true } | { ok: false; message: string }) => {
    const q = outcome.ok
      ? `${slug}=connected`
      : `${slug}=error&message=${encodeURIComponent(outcome.message)}`;
    return c.redirect(`/settings?${q}`, 302);
  };
  return new Hono<AppEnv>().get(
    "/callback",
    queryOf(CallbackQuery, (error, c: Context<AppEnv>) =>
      settingsRedirect(c, { ok: false, message: error.message }),
    ),
    async (c) => {
      try {
        const query = c.req.valid("query");
        if (query.error || !query.code || !query.state)
          throw new AppError(
            "invalid_request",
            `${providerName} did not finish the install; start again from Settings → ${providerName}`,
          );
        const config = readAuthConfig(c.env);
        const claims = await provider.readState(config.sessionKey, query.state);
        if (!claims)
          throw new AppError(
            "invalid_request",
            `the connect link expired; start again from Settings → ${providerName}`,
          );
        await requireInstallingUser(c, config.sessionKey, claims.userId, providerName);
        await provider.complete(c.env, claims, query.code, installCallbackUrl(c, slug));
        return settingsRedirect(c, { ok: true });
      } catch (error) {
        if (error instanceof AppError) return settingsRedirect(c, { ok: false, message: error.message });
        throw error;
      }
    },
  );
}
