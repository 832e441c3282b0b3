/**
 * The git credential helper. git runs `node git-credential.mjs get` (given on the command line
 * of the runtime's own clone and push only, see git.ts and credentialHelperCommand) and the helper answers with the
 * runtime's current sandbox token as the Basic password. The token goes to one place only: the
 * control plane's git proxy (`<control plane>/sandbox/git/...`), which holds the forge's
 * credentials itself and never hands them to a sandbox. The helper answers only when
 * - the session's repository URL (NIGHTSHIFT_CREDENTIALS_REPO) is on the git proxy of the control
 *   plane (NIGHTSHIFT_CREDENTIALS_URL): same scheme, host and path prefix, and
 * - git asks about that repository itself (same protocol, host and path),
 * so a rewritten remote, or a repository URL that points elsewhere, gets nothing. The token and
 * URLs come from the environment the runtime gives its own git commands: a git command the agent
 * runs (in the inner sandbox) has neither the helper nor these variables.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
// zod's mini build: the helper's own bundle stays a fraction of full zod (it starts on every git request).
import * as z from "zod/mini";

export const CREDENTIAL_URL_ENV = "NIGHTSHIFT_CREDENTIALS_URL";
export const CREDENTIAL_TOKEN_ENV = "NIGHTSHIFT_CREDENTIALS_TOKEN";
export const CREDENTIAL_REPO_ENV = "NIGHTSHIFT_CREDENTIALS_REPO";

/** Where the control plane serves git for sandboxes (control-plane routes/sandbox-git.ts). */
const GIT_PROXY_PATH = "/sandbox/git/";
/** The Basic user name sent with the sandbox token; the proxy reads only the password. */
export const GIT_PROXY_USERNAME = "x-sandbox-token";

const CredentialEnv = z.object({
  [CREDENTIAL_URL_ENV]: z.url(),
  [CREDENTIAL_TOKEN_ENV]: z.string().check(z.minLength(1), z.maxLength(10_000)),
  [CREDENTIAL_REPO_ENV]: z.url(),
});

function trimSlashes(path: string): string {
  return path.replace(/^\/+|\/+$/g, "");
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

/** True when `repoUrl` is a repository on the git proxy of the control plane at `controlPlaneUrl`. */
export function isOnGitProxy(repoUrl: string, controlPlaneUrl: string): boolean {
  const repo = parseUrl(repoUrl);
  const plane = parseUrl(controlPlaneUrl);
  if (!repo || !plane) return false;
  if (repo.username || repo.password || repo.search || repo.hash) return false;
  const prefix = `${plane.pathname.replace(/\/+$/, "")}${GIT_PROXY_PATH}`;
  const path = decoded(repo.pathname);
  return (
    repo.protocol === plane.protocol &&
    repo.host.toLowerCase() === plane.host.toLowerCase() &&
    path.startsWith(prefix) &&
    path.length > prefix.length &&
    !path.split("/").includes("..")
  );
}

/** True when git asks about the session's repository itself (git sends the path without its leading slash). */
export function isSessionRepository(fields: Record<string, string>, repoUrl: string): boolean {
  const repo = parseUrl(repoUrl);
  if (!repo) return false;
  return (
    fields.protocol === repo.protocol.slice(0, -1) &&
    (fields.host ?? "").toLowerCase() === repo.host.toLowerCase() &&
    decoded(trimSlashes(fields.path ?? "")) === decoded(trimSlashes(repo.pathname))
  );
}

/** The helper's own small bundle, which scripts/bundle.mjs writes beside the runtime's. */
export const HELPER_BUNDLE_NAME = "git-credential.mjs";

/**
 * The credential.helper value (git runs it through a shell, appending the action): `node
 * git-credential.mjs get` when the small bundle sits beside the runtime's, else `node <bundle>
 * git-credential get` (an image that copied only runtime.mjs). store and erase have nothing to do,
 * so they exit in the shell without starting Node: git runs one after every authenticated request.
 */
export function credentialHelperCommand(
  nodePath: string,
  bundlePath: string,
  exists: (path: string) => boolean = existsSync,
): string {
  const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
  const helper = join(dirname(bundlePath), HELPER_BUNDLE_NAME);
  const program = exists(helper) ? quote(helper) : `${quote(bundlePath)} git-credential`;
  return `!f() { test "$1" = get || exit 0; exec ${quote(nodePath)} ${program} get; }; f`;
}

/** Parses git's `key=value` lines (ends at a blank line or the end of input). */
export function parseCredentialInput(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split("\n")) {
    if (line.trim() === "") break;
    const eq = line.indexOf("=");
    if (eq > 0) fields[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return fields;
}

/** The token's `exp` (unix seconds) when it is a JWT that says so; git stops reusing it then. */
export function tokenExpiry(token: string): number | null {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    const exp = z.object({ exp: z.int().check(z.positive()) }).safeParse(claims);
    return exp.success ? exp.data.exp : null;
  } catch {
    return null;
  }
}

export interface CredentialHelperIo {
  action: string | undefined;
  input: string;
  env: Record<string, string | undefined>;
  write(text: string): void;
  warn(text: string): void;
}

/** Runs one helper invocation; returns the exit code. Only `get` answers; store/erase are no-ops. */
export function runCredentialHelper(io: CredentialHelperIo): number {
  if (io.action !== "get") return 0;
  const env = CredentialEnv.safeParse(io.env);
  // Not the runtime's own git (the agent's, say): stay silent so git reports that it has no credentials.
  if (!env.success) return 0;
  const repoUrl = env.data[CREDENTIAL_REPO_ENV];
  const fields = parseCredentialInput(io.input);
  if (fields.protocol !== "https" && fields.protocol !== "http") return 0;
  if (!isOnGitProxy(repoUrl, env.data[CREDENTIAL_URL_ENV])) {
    io.warn(
      "nightshift: the session's repository is not on the control plane's git proxy; the sandbox token is not sent anywhere else",
    );
    return 0;
  }
  if (!isSessionRepository(fields, repoUrl)) {
    io.warn(
      `nightshift: no git credentials for ${fields.host ?? "?"}/${fields.path ?? ""}: only the session's repository gets them`,
    );
    return 0;
  }
  const token = env.data[CREDENTIAL_TOKEN_ENV];
  if (/[\n\r\0]/.test(token)) {
    io.warn("nightshift: the sandbox token contains a line break; refused");
    return 1;
  }
  const expiry = tokenExpiry(token);
  io.write(
    `username=${GIT_PROXY_USERNAME}\npassword=${token}\n${expiry ? `password_expiry_utc=${expiry}\n` : ""}`,
  );
  return 0;
}
