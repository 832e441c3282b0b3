/**
 * What a call can fail with, as types a caller can branch on: the server's answer (ApiError, with
 * its status and stable code), a request refused here before it was sent (RequestValidationError),
 * or no usable answer at all (NetworkError: unreachable, cut off, or a body that is not the API's).
 */
import type { ErrorCode } from "@nightshift/protocol";

export interface FieldIssue {
  path: string;
  message: string;
}

export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: number,
    /** The server's stable code; `http_error` when the body was not the API's error shape. */
    readonly code: ErrorCode | "http_error",
    message: string,
    readonly requestId?: string,
    readonly issues: FieldIssue[] = [],
    /** From a 429's Retry-After: seconds to wait before trying again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export class RequestValidationError extends Error {
  override readonly name = "RequestValidationError";
  constructor(
    readonly what: string,
    readonly issues: FieldIssue[],
  ) {
    super(`${what}: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ")}`);
  }
}

export class NetworkError extends Error {
  override readonly name = "NetworkError";
  constructor(
    message: string,
    /** The HTTP status when an answer came but could not be read; absent when none came. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** zod issues as `path: message` pairs, the shape the server uses for its own. */
export function fieldIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): FieldIssue[] {
  return issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
}
