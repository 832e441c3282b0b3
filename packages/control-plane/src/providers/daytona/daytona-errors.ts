/**
 * Every Daytona failure classified once, in words a user acts on: transient ones (no answer, 5xx,
 * 408/409/425) are retried by the launcher; capacity ones (429, an organization quota used up)
 * put the session back in the slot queue; the rest are permanent and say what to fix. Daytona's
 * own message is quoted with the API key and the bootstrap values cut out, and capped.
 */
import { SandboxProviderError, withoutSecrets } from "../provider";
import { DaytonaApiError } from "./daytona-client";

const QUOTE_MAX = 300;
/** Daytona's words when an organization limit is reached (403/400 "Total CPU quota exceeded", ...). */
const QUOTA = /quota|limit (?:exceeded|reached)|exceeds? (?:the )?(?:maximum|limit)|no available runners?/i;
export const MISSING_SNAPSHOT = /snapshot .*(?:not found|does not exist|not active)|snapshot not found/i;

export interface ClassifyContext {
  apiUrl: string;
  snapshot: string;
  /** Values never to appear in a message: the API key, the bootstrap values. */
  secrets: readonly string[];
}

export function classifyDaytonaError(error: unknown, context: ClassifyContext): SandboxProviderError {
  if (error instanceof SandboxProviderError) return error;
  if (!(error instanceof DaytonaApiError)) {
    return new SandboxProviderError(
      "the Daytona provider failed unexpectedly; Nightshift will retry",
      "transient",
    );
  }
  const quoted = withoutSecrets(error.detail, context.secrets).slice(0, QUOTE_MAX);
  const said = quoted ? `: ${quoted}` : "";
  const { operation, status } = error;
  if (status === null) {
    return new SandboxProviderError(
      error.timedOut
        ? `Daytona did not answer within 30 s when asked to ${operation}; Nightshift will retry`
        : `cannot reach Daytona at ${context.apiUrl} to ${operation} (is DAYTONA_API_URL right?); Nightshift will retry`,
      "transient",
    );
  }
  if (status === 429) {
    const wait = error.retryAfterSeconds !== null ? ` (it asks to wait ${error.retryAfterSeconds} s)` : "";
    return new SandboxProviderError(
      `Daytona is rate limiting Nightshift${wait}; the session waits for a free slot`,
      "capacity",
    );
  }
  if (status >= 400 && status < 500 && QUOTA.test(error.detail)) {
    return new SandboxProviderError(
      `Daytona's organization has no room for another sandbox${said}; the session waits for a free slot (raise the quota or lower SANDBOX_SLOT_LIMIT)`,
      "capacity",
    );
  }
  if (status >= 500 || status === 408 || status === 409 || status === 425) {
    return new SandboxProviderError(
      `Daytona failed to ${operation} (HTTP ${status}${said}); Nightshift will retry`,
      "transient",
    );
  }
  if (status === 401) {
    return new SandboxProviderError(
      `Daytona refused the API key when asked to ${operation} (HTTP 401); check the DAYTONA_API_KEY secret`,
      "permanent",
    );
  }
  if (status === 403) {
    return new SandboxProviderError(
      `Daytona's API key may not ${operation} (HTTP 403${said}); give the key the sandbox write and delete permissions`,
      "permanent",
    );
  }
  if (MISSING_SNAPSHOT.test(error.detail)) {
    return new SandboxProviderError(
      `Daytona has no usable snapshot "${context.snapshot}"${said}; build it from Nightshift's sandbox image and set DAYTONA_SNAPSHOT to its name`,
      "permanent",
    );
  }
  return new SandboxProviderError(`Daytona refused to ${operation} (HTTP ${status}${said})`, "permanent");
}
