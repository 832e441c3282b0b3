/**
 * The deployment's bindings turned into the narrow capabilities the session's GitHub parts use:
 * the DO builds them here, so SessionGithub and GithubCredentials never see `Bindings`, D1 or the
 * keyring, and a unit test can hand them plain functions.
 */
import { openDatabase } from "../db/client";
import { updateSession } from "../db/repositories/sessions";
import { findGithubUserToken } from "../db/repositories/users";
import type { Bindings } from "../env";
import { readGithubAppConfig } from "../github/app-config";
import { loadKeyring } from "../secrets/keyring";
import { openUserToken } from "../secrets/user-token-vault";
import { GithubCredentials } from "./github-credentials";
import type { MetaStore } from "./meta-store";
import type { Scheduler } from "./scheduler";
import { SessionGithub } from "./session-github";

const DEFAULT_PUBLIC_URL = "http://127.0.0.1:8787";

export function githubCredentialsFor(env: Bindings, now: () => number): GithubCredentials {
  return new GithubCredentials(() => readGithubAppConfig(env), now);
}

export function sessionGithubFor(
  env: Bindings,
  meta: MetaStore,
  scheduler: Pick<Scheduler, "set">,
  now: () => number,
): SessionGithub {
  return new SessionGithub({
    meta,
    scheduler,
    publicUrl: env.PUBLIC_URL ?? DEFAULT_PUBLIC_URL,
    appConfig: () => readGithubAppConfig(env),
    async userToken(userId) {
      if (!env.SECRETS_MASTER_KEYS) return null;
      const row = await findGithubUserToken(openDatabase(env.DB), userId, now());
      if (!row) return null;
      return openUserToken(await loadKeyring(env.SECRETS_MASTER_KEYS), row);
    },
    recordPull: (session, url) =>
      updateSession(
        openDatabase(env.DB),
        session.tenantId,
        session.sessionId,
        { prUrl: url },
        new Date(now()).toISOString(),
      ),
    now,
  });
}
