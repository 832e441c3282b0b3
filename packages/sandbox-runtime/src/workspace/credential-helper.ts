/**
 * The git credential helper. git runs `node runtime.mjs git-credential get` (installed in the
 * clone's config); the helper asks the control plane (`POST /sandbox/git-credentials`, bearer
 * sandbox token) for a short-lived token scoped to this repository and prints it in git's
 * credential format. The token and URL come from the environment the runtime gives its own git
 * commands, so a git command the agent runs gets nothing. It answers only for the session's
 * repository (same protocol, host and path as NIGHTSHIFT_REPO_URL, handed to it as
 * NIGHTSHIFT_CREDENTIALS_REPO): a request for any other place gets no answer, so a rewritten
 * remote cannot carry the installation token elsewhere.
 */
import { z } from "zod";

export const CREDENTIAL_URL_ENV = "NIGHTSHIFT_CREDENTIALS_URL";
export const CREDENTIAL_TOKEN_ENV = "NIGHTSHIFT_CREDENTIALS_TOKEN";
export const CREDENTIAL_REPO_ENV = "NIGHTSHIFT_CREDENTIALS_REPO";

const CredentialAnswer = z.object({
  username: z.string().min(1).max(200),
  password: z.string().min(1).max(10_000),
  expiresAt: z.string().optional(),
});

const CredentialEnv = z.object({
  [CREDENTIAL_URL_ENV]: z.string().url(),
  [CREDENTIAL_TOKEN_ENV]: z.string().min(1),
  [CREDENTIAL_REPO_ENV]: z.string().url(),
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

/** True when git asks about the session's repository itself (git sends the path without its leading slash). */
export function isSessionRepository(fields: Record<string, string>, repoUrl: string): boolean {
  let repo: URL;
  try {
    repo = new URL(repoUrl);
  } catch {
    return false;
  }
  return (
    fields.protocol === repo.protocol.slice(0, -1) &&
    (fields.host ?? "").toLowerCase() === repo.host.toLowerCase() &&
    decoded(trimSlashes(fields.path ?? "")) === decoded(trimSlashes(repo.pathname))
  );
}

/** The `node <bundle> git-credential` command to put in credential.helper (git runs it through a shell). */
export function credentialHelperCommand(nodePath: string, bundlePath: string): string {
  const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
  return `!${quote(nodePath)} ${quote(bundlePath)} git-credential`;
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

export interface CredentialHelperIo {
  action: string | undefined;
  input: string;
  env: Record<string, string | undefined>;
  fetch?: typeof fetch;
  write(text: string): void;
  warn(text: string): void;
}

/** Runs one helper invocation; returns the exit code. Only `get` answers; store/erase are no-ops. */
export async function runCredentialHelper(io: CredentialHelperIo): Promise<number> {
  if (io.action !== "get") return 0;
  const env = CredentialEnv.safeParse(io.env);
  // Not the runtime's own git (the agent's, say): stay silent so git reports that it has no credentials.
  if (!env.success) return 0;
  const fields = parseCredentialInput(io.input);
  if (fields.protocol !== "https" && fields.protocol !== "http") return 0;
  if (!isSessionRepository(fields, env.data[CREDENTIAL_REPO_ENV])) {
    io.warn(
      `nightshift: no git credentials for ${fields.host ?? "?"}/${fields.path ?? ""}: only the session's repository gets them`,
    );
    return 0;
  }
  const body = { protocol: fields.protocol, host: fields.host ?? "", path: fields.path ?? "" };
  const url = `${env.data[CREDENTIAL_URL_ENV].replace(/\/+$/, "")}/sandbox/git-credentials`;
  let response: Response;
  try {
    response = await (io.fetch ?? fetch)(url, {
      method: "POST",
      headers: {
        authorization: `Bearer ${env.data[CREDENTIAL_TOKEN_ENV]}`,
        "content-type": "application/json",
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    });
  } catch (err) {
    io.warn(
      `nightshift: cannot reach the control plane for git credentials (${(err as Error).message}); retry later`,
    );
    return 1;
  }
  if (!response.ok) {
    await response.body?.cancel();
    io.warn(
      `nightshift: the control plane refused git credentials for ${body.host}/${body.path} (HTTP ${response.status})`,
    );
    return 1;
  }
  const answer = CredentialAnswer.safeParse(await response.json().catch(() => null));
  if (!answer.success) {
    io.warn("nightshift: the control plane answered git credentials with an unexpected body");
    return 1;
  }
  if (/[\n\0]/.test(answer.data.username + answer.data.password)) {
    io.warn("nightshift: git credentials contain a line break; refused");
    return 1;
  }
  const expires = answer.data.expiresAt ? Date.parse(answer.data.expiresAt) : Number.NaN;
  // Tells git not to reuse the token after it expires.
  const expiry = Number.isFinite(expires) ? `password_expiry_utc=${Math.floor(expires / 1000)}\n` : "";
  io.write(`username=${answer.data.username}\npassword=${answer.data.password}\n${expiry}`);
  return 0;
}
