/**
 * The exit codes scripts can rely on, and the one mapping from a failure to its code and to a
 * message that says what to do next.
 */
import { ApiError, NetworkError, RequestValidationError } from "@nightshift/client";

export const EXIT = {
  ok: 0,
  /** The agent's turn failed, or the session failed or was stopped before finishing it. */
  failed: 1,
  /** The command line or the request was wrong (unknown flag, bad repo, invalid input). */
  usage: 2,
  /** No credential, a bad or revoked API key, or a role that may not do this. */
  auth: 3,
  /** No such session (or secret, or route) in this tenant. */
  notFound: 4,
  /** The control plane failed or could not be reached. */
  server: 5,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the CLI itself detected, with the code it exits with. */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
  }
}

export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof RequestValidationError) return EXIT.usage;
  if (error instanceof NetworkError) return EXIT.server;
  if (error instanceof ApiError) {
    if (error.status === 401 || error.status === 403) return EXIT.auth;
    if (error.status === 404 || error.status === 410) return EXIT.notFound;
    if (error.status === 429 || error.status >= 500) return EXIT.server;
    return EXIT.usage;
  }
  return EXIT.server;
}

/** One or two lines for a person: what went wrong and what to do about it. */
export function describeFailure(error: unknown): string {
  if (error instanceof ApiError) {
    const ref = error.requestId ? ` (request ${error.requestId})` : "";
    const fields = error.issues.map((i) => `\n  ${i.path || "(body)"}: ${i.message}`).join("");
    if (error.status === 401) {
      return `the control plane refused the API key: ${error.message}\nrun \`nightshift login\` again (or \`nightshift login --api-key nsk_...\` with a valid key)`;
    }
    if (error.status === 429 && error.retryAfterSeconds) {
      return `${error.message}; try again in ${error.retryAfterSeconds} s${ref}`;
    }
    return `${error.message}${ref}${fields}`;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
