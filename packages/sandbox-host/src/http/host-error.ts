/** The host's one error type: a stable code from the protocol and a message for people; the status comes from the code. */
import { type ErrorCode, type ErrorStatus, errorStatus } from "@nightshift/protocol";

export class HostError extends Error {
  /** From protocol's error table, so the host and the control plane agree on what a code means. */
  readonly status: ErrorStatus;

  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "HostError";
    this.status = errorStatus(code);
  }
}
