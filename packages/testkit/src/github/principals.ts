/**
 * Who is calling the double's REST API, from the `Authorization` header: the App (a JWT), an
 * installation (a `ghs_` token) or a user (an OAuth `gho_` token). Unknown or expired → 401 with
 * GitHub's "Bad credentials".
 */

import type { KeyObject } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { verifyAppJwt } from "./app-jwt";
import type { GithubState, GithubUser } from "./github-state";
import { GithubApiError } from "./http-io";
import type { InstallationToken, InstallationTokens } from "./installation-tokens";

export type Principal =
  | { kind: "app" }
  | { kind: "installation"; token: InstallationToken }
  | { kind: "user"; user: GithubUser };

export interface PrincipalDeps {
  state: GithubState;
  tokens: InstallationTokens;
  userTokens: Map<string, string>;
  publicKey: KeyObject;
  now: () => number;
}

export function resolvePrincipal(req: IncomingMessage, deps: PrincipalDeps): Principal {
  const match = /^(?:bearer|token)\s+(\S+)$/i.exec(req.headers.authorization ?? "");
  const credential = match?.[1];
  if (!credential) throw new GithubApiError(401, "Requires authentication");
  if (credential.split(".").length === 3) {
    verifyAppJwt(
      credential,
      { appId: deps.state.app.id, clientId: deps.state.app.clientId, publicKey: deps.publicKey },
      deps.now(),
    );
    return { kind: "app" };
  }
  const inst = deps.tokens.lookup(credential, deps.now());
  if (inst && inst !== "expired") return { kind: "installation", token: inst };
  const login = deps.userTokens.get(credential);
  const user = login ? deps.state.user(login) : undefined;
  if (user) return { kind: "user", user };
  throw new GithubApiError(401, "Bad credentials");
}

export function requireApp(p: Principal): void {
  if (p.kind !== "app") throw new GithubApiError(401, "A JSON web token could not be decoded");
}
