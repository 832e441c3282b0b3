/** The host's one error type: a stable code from the protocol, an HTTP status and a message for people. */
import type { ErrorCode } from "@nightshift/protocol";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export class HostError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "HostError";
  }
}
