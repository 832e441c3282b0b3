/**
 * Every error code the control plane and the sandbox host send, with the one HTTP status it
 * travels with and what it means. Error classes take a code and derive the status from here, so
 * the same code never means 502 in one route and 503 in another; a case that needs another
 * status needs another code.
 */

interface ErrorCodeEntry {
  status: 400 | 401 | 402 | 403 | 404 | 409 | 410 | 413 | 415 | 422 | 426 | 429 | 500 | 502 | 503;
  meaning: string;
}

export const ERROR_TABLE = {
  invalid_request: {
    status: 400,
    meaning: "the request is malformed or breaks a rule; fix it before retrying",
  },
  invalid_json: { status: 400, meaning: "the body is not valid JSON" },
  agent_unavailable: {
    status: 400,
    meaning: "this deployment cannot run the agent asked for; the message names the agents it can run",
  },
  payload_too_large: { status: 413, meaning: "the body is larger than the endpoint accepts" },
  unauthorized: { status: 401, meaning: "no valid credential came with the request" },
  budget_exhausted: {
    status: 402,
    meaning: "the tenant's monthly budget (or a session cap) is used up; the message gives the figures",
  },
  forbidden: { status: 403, meaning: "the caller is known but may not do this" },
  not_found: { status: 404, meaning: "the thing asked for does not exist or is not the caller's" },
  session_not_found: { status: 404, meaning: "no such session in this tenant" },
  conflict: { status: 409, meaning: "the request clashes with the current state (taken name, last owner)" },
  session_closed: { status: 409, meaning: "the session has ended or is stopping and takes no more work" },
  session_ended: { status: 410, meaning: "the session has ended; its sandbox token is no longer honoured" },
  bootstrap_token_used: {
    status: 409,
    meaning: "this sandbox bootstrap token was already exchanged; a bootstrap token works once",
  },
  unprocessable: { status: 422, meaning: "an upstream service refused the request as invalid for its state" },
  rate_limited: { status: 429, meaning: "too many requests; wait for Retry-After" },
  unsupported_media_type: { status: 415, meaning: "the body's content type is not one the endpoint reads" },
  upgrade_required: { status: 426, meaning: "the endpoint speaks WebSocket only" },
  invalid_frame: { status: 400, meaning: "a WebSocket frame did not match its schema" },
  unknown_frame: { status: 400, meaning: "a WebSocket frame had a type this side does not know" },
  upstream_failed: { status: 502, meaning: "an upstream service answered with something unusable" },
  upstream_unavailable: {
    status: 503,
    meaning: "a dependency is down, overloaded or not configured; retry shortly or fix the setting named",
  },
  internal: { status: 500, meaning: "a bug or an unexpected failure; quote the request id" },
  // The device sign-in's polling answers (RFC 8628 §3.5; 400 as OAuth token errors are).
  authorization_pending: {
    status: 400,
    meaning: "the device sign-in has not been approved yet; poll again after the interval",
  },
  slow_down: {
    status: 400,
    meaning: "polling too fast; wait the interval plus 5 seconds before the next poll",
  },
  expired_token: {
    status: 400,
    meaning: "the device code expired, was already used or is unknown; start the sign-in again",
  },
  access_denied: { status: 400, meaning: "the person in the browser denied the device sign-in" },
} as const satisfies Record<string, ErrorCodeEntry>;

type TableCode = keyof typeof ERROR_TABLE;

export const ERROR_CODES = Object.keys(ERROR_TABLE) as [TableCode, ...TableCode[]];

export type ErrorStatus = (typeof ERROR_TABLE)[TableCode]["status"];

/** The HTTP status a response carrying `code` is sent with. */
export function errorStatus(code: TableCode): ErrorStatus {
  return ERROR_TABLE[code].status;
}

/**
 * The code for an error that arrived as a bare status (a framework's own HTTP exception): the
 * first code in the table with that status, or invalid_request for a 4xx the table does not list.
 */
export function errorCodeForStatus(status: number): TableCode {
  const match = ERROR_CODES.find((code) => ERROR_TABLE[code].status === status);
  if (match) return match;
  return status >= 500 ? "internal" : "invalid_request";
}
