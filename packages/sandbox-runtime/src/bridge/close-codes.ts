/**
 * Which ends of the bridge are final. Some close codes (and HTTP answers to the upgrade) mean
 * "never come back": retrying would only be refused again, so the runtime exits instead.
 */
import { BridgeCloseCode } from "@nightshift/protocol";

export interface FinalOutcome {
  /** Process exit code: 0 when the session ended normally, 1 when the sandbox was turned away. */
  exitCode: number;
  message: string;
}

export function finalOutcomeOfClose(code: number): FinalOutcome | null {
  switch (code) {
    case BridgeCloseCode.unauthorized:
      return {
        exitCode: 1,
        message:
          "the control plane refused this sandbox's token (close 4001 unauthorized): it is invalid, expired or for another session; the session has to start a new sandbox",
      };
    case BridgeCloseCode.superseded:
      return {
        exitCode: 1,
        message: "a newer sandbox took over this session (close 4009 superseded); this one stops",
      };
    case BridgeCloseCode.sessionEnded:
      return { exitCode: 0, message: "the session has ended (close 4010); stopping" };
    default:
      return null;
  }
}

export function finalOutcomeOfHttpStatus(status: number): FinalOutcome | null {
  if (status === 401 || status === 403) {
    return {
      exitCode: 1,
      message: `the control plane refused the bridge connection with HTTP ${status}: the sandbox token is invalid or expired; the session has to start a new sandbox`,
    };
  }
  if (status === 410)
    return { exitCode: 0, message: "the control plane answered HTTP 410: the session has ended; stopping" };
  return null;
}
