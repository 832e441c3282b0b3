/**
 * /auth: GitHub OAuth sign-in, the local dev login, and logout. These create and end the session
 * cookie; everything under /api/v1 then reads it (tenancy/authenticate.ts).
 */
import {
  DevLoginRequest,
  GithubCallbackQuery,
  GithubLoginQuery,
  GithubSetupQuery,
  type SignInResponse,
} from "@nightshift/protocol";
import type { Context } from "hono";
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { timingSafeEqual } from "hono/utils/buffer";
import type { AppEnv } from "../env";
import { AppError } from "../http/app-error";
import { jsonBody, queryOf } from "../http/validate";
import {
  completeInstallationLink,
  readInstallState,
  requireAppOAuth,
} from "../integrations/github/connection";
import * as auth from "../services/auth";
import { type AuthConfig, readAuthConfig, requireGithub } from "../tenancy/auth-config";
import { authorizeUrl } from "../tenancy/github-oauth";
import { pkceChallenge, startOAuthState, takeOAuthState } from "../tenancy/oauth-state";
import { assertSameOrigin, isLoopbackRequest, siteOrigin } from "../tenancy/request-origin";
import {
  clearSessionCookie,
  readSessionCookie,
  signSessionToken,
  verifySessionToken,
  writeSessionCookie,
} from "../tenancy/session-cookie";
import { requireInstallingUser } from "./install-callback";

function callbackUrl(config: AuthConfig, req: Request): string {
  return `${siteOrigin(config, req)}/auth/github/callback`;
}

/** Sets the session cookie for a fresh sign-in and says when it expires. */
async function startBrowserSession(
  c: Context<AppEnv>,
  config: AuthConfig,
  signIn: auth.SignIn,
): Promise<SignInResponse> {
  const nowS = Math.floor(Date.now() / 1000);
  const { token, expiresAt } = await signSessionToken(
    config.sessionKey,
    { userId: signIn.user.id, sid: signIn.sid },
    nowS,
  );
  writeSessionCookie(c, token, expiresAt, nowS);
  return { user: signIn.user, expiresAt: new Date(expiresAt * 1000).toISOString() };
}

/** Browser navigations of the connect flow end on the settings page, with the outcome in the query. */
function settingsRedirect(c: Context<AppEnv>, outcome: { ok: true } | { ok: false; message: string }) {
  const q = outcome.ok ? "github=connected" : `github=error&message=${encodeURIComponent(outcome.message)}`;
  return c.redirect(`/settings?${q}`, 302);
}

async function connectFailure(c: Context<AppEnv>, work: () => Promise<Response>): Promise<Response> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AppError) return settingsRedirect(c, { ok: false, message: error.message });
    throw error;
  }
}

function restart(message: string): AppError {
  return new AppError("invalid_request", `${message}; start again at /auth/github/login`);
}

/** The Setup URL is a browser navigation: a bad query ends on the settings page, like any failure there. */
const setupQuery = queryOf(GithubSetupQuery, (error, c: Context<AppEnv>) =>
  settingsRedirect(c, { ok: false, message: error.message }),
);

/** The dev login's gate, checked before its body is read: enabled, from loopback, same origin. */
const devLoginGate = createMiddleware<AppEnv>(async (c, next) => {
  const config = readAuthConfig(c.env);
  if (!config.devLoginEnabled) {
    throw new AppError(
      "not_found",
      "the dev login is off; it needs NIGHTSHIFT_MODE=local and NIGHTSHIFT_DEV_LOGIN=1",
    );
  }
  if (!isLoopbackRequest(c.req.raw)) {
    throw new AppError("forbidden", "the dev login only answers requests from this machine (loopback)");
  }
  // Login CSRF: a page on another origin must not sign this browser in. Origin is required: any
  // local process can forge it, but a request without it (a bare curl from a sandbox sharing the
  // host's network) is not a browser on this site.
  assertSameOrigin(c, config);
  await next();
});

export const authRoutes = new Hono<AppEnv>()
  .get("/github/login", queryOf(GithubLoginQuery), async (c) => {
    const query = c.req.valid("query");
    const config = readAuthConfig(c.env);
    const github = requireGithub(config);
    const state = await startOAuthState(c, config.sessionKey, query.redirect);
    const url = authorizeUrl(github, {
      redirectUri: callbackUrl(config, c.req.raw),
      state: state.state,
      challenge: await pkceChallenge(state.verifier),
    });
    return c.redirect(url, 302);
  })
  .get("/github/callback", queryOf(GithubCallbackQuery), async (c) => {
    const query = c.req.valid("query");
    const config = readAuthConfig(c.env);
    const github = requireGithub(config);
    const saved = await takeOAuthState(c, config.sessionKey);
    if (query.error)
      throw new AppError(
        "unauthorized",
        `GitHub sign-in was not completed (${query.error.slice(0, 60)}); start again at /auth/github/login`,
      );
    if (!saved) throw restart("the sign-in attempt expired or was started in another browser");
    if (!query.state || !(await timingSafeEqual(saved.state, query.state)))
      throw restart("the sign-in state does not match");
    if (!query.code) throw restart("GitHub sent no authorization code");
    const install = saved.install;
    if (install) {
      const code = query.code;
      return connectFailure(c, async () => {
        await completeInstallationLink(c.env, {
          ...install,
          code,
          redirectUri: callbackUrl(config, c.req.raw),
          verifier: saved.verifier,
        });
        return settingsRedirect(c, { ok: true });
      });
    }
    const signIn = await auth.completeGithubSignIn(c.env, github, {
      code: query.code,
      redirectUri: callbackUrl(config, c.req.raw),
      verifier: saved.verifier,
    });
    await startBrowserSession(c, config, signIn);
    return c.redirect(saved.redirect, 302);
  })
  // The GitHub App's Setup URL: GitHub sends the browser here after an installation.
  .get("/github/setup", setupQuery, (c) =>
    connectFailure(c, async () => {
      const query = c.req.valid("query");
      if (query.setup_action === "request" || query.installation_id === undefined)
        throw new AppError(
          "invalid_request",
          "GitHub asked an organization owner to approve the installation; once they have, press Connect again",
        );
      const installationId = query.installation_id;
      const config = readAuthConfig(c.env);
      const { oauth } = requireAppOAuth(c.env);
      if (!query.state)
        throw new AppError(
          "invalid_request",
          "this installation was not started from Nightshift; open Settings → GitHub and press Connect",
        );
      const claims = await readInstallState(config.sessionKey, query.state);
      if (!claims)
        throw new AppError("invalid_request", "the connect link expired; start again from Settings → GitHub");
      await requireInstallingUser(c, config.sessionKey, claims.userId, "GitHub");
      // Prove with the user's own GitHub token that they can access this installation (the id above is unchecked).
      const state = await startOAuthState(c, config.sessionKey, "/settings", {
        tenantId: claims.tenantId,
        userId: claims.userId,
        installationId,
      });
      const url = authorizeUrl(oauth, {
        redirectUri: callbackUrl(config, c.req.raw),
        state: state.state,
        challenge: await pkceChallenge(state.verifier),
      });
      return c.redirect(url, 302);
    }),
  )
  .post("/dev-login", devLoginGate, jsonBody(DevLoginRequest, { optional: true }), async (c) => {
    const signIn = await auth.signInAsDevUser(c.env, c.req.valid("json"));
    return c.json(await startBrowserSession(c, readAuthConfig(c.env), signIn));
  })
  .post("/logout", async (c) => {
    const token = readSessionCookie(c);
    if (token) {
      const config = readAuthConfig(c.env);
      assertSameOrigin(c, config);
      const claims = await verifySessionToken(config.sessionKey, token, Math.floor(Date.now() / 1000), {
        forLogout: true,
      });
      if (claims) await auth.signOut(c.env, claims.sid, claims.sub);
    }
    clearSessionCookie(c);
    return c.body(null, 204);
  });
