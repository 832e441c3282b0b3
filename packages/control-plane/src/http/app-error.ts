/** The one error type the Worker throws on purpose: a stable code, an HTTP status, a human message. */
import type { ErrorCode } from "@nightshift/protocol";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: ContentfulStatusCode,
    message: string,
    readonly issues?: { path: string; message: string }[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "AppError";
  }

  static notFound(what: string): AppError {
    return new AppError("not_found", 404, `${what} was not found`);
  }

  static sessionNotFound(id: string): AppError {
    return new AppError("session_not_found", 404, `session ${id} was not found`);
  }
}
