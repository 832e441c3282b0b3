/** The one error type the Worker throws on purpose: a stable code, a human message; the status comes from the code. */
import { type ErrorCode, type ErrorStatus, errorStatus } from "@nightshift/protocol";

export class AppError extends Error {
  /** From protocol's error table: one code, one status, everywhere. */
  readonly status: ErrorStatus;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: { path: string; message: string }[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "AppError";
    this.status = errorStatus(code);
  }

  static notFound(what: string): AppError {
    return new AppError("not_found", `${what} was not found`);
  }

  static sessionNotFound(id: string): AppError {
    return new AppError("session_not_found", `session ${id} was not found`);
  }
}
