/**
 * Every failure of our Modal app classified once, in words a user acts on: no answer and 5xx are
 * transient (the launcher retries), 429 (Modal's quota or rate limit) is capacity (the session
 * waits in the slot queue), a refused proxy token or a bad request is permanent and says what to
 * fix. The app's own message is quoted with the token and the bootstrap values cut out, capped.
 */
import { SandboxProviderError, withoutSecrets } from "../provider";
import { ModalAppError } from "./modal-client";

const QUOTE_MAX = 300;

export interface ModalErrorContext {
  appUrl: string;
  /** Values never to appear in a message: the proxy token, the bootstrap values. */
  secrets: readonly string[];
}

export function classifyModalError(error: unknown, context: ModalErrorContext): SandboxProviderError {
  if (error instanceof SandboxProviderError) return error;
  if (!(error instanceof ModalAppError)) {
    return new SandboxProviderError(
      "the Modal provider failed unexpectedly; Nightshift will retry",
      "transient",
    );
  }
  const quoted = withoutSecrets(error.detail, context.secrets).replace(/\s+/g, " ").slice(0, QUOTE_MAX);
  const said = quoted ? `: ${quoted}` : "";
  const { operation, status, code } = error;
  if (status === null) {
    return new SandboxProviderError(
      error.timedOut
        ? `the Modal app did not answer when asked to ${operation} (${quoted}); Nightshift will retry`
        : `cannot reach the Modal app at ${context.appUrl} to ${operation} (is MODAL_APP_URL right and the app deployed?); Nightshift will retry`,
      "transient",
    );
  }
  if (status < 400) {
    return new SandboxProviderError(
      `the Modal app answered an unexpected body when asked to ${operation}; is MODAL_APP_URL the Nightshift Modal app, deployed from this version?`,
      "permanent",
    );
  }
  if (status === 429) {
    return new SandboxProviderError(
      `Modal's quota or rate limit is reached${said}; the session waits for a free slot`,
      "capacity",
    );
  }
  if (status === 401) {
    return new SandboxProviderError(
      `Modal refused the proxy auth token when asked to ${operation} (HTTP 401); check the MODAL_PROXY_TOKEN_ID and MODAL_PROXY_TOKEN_SECRET secrets`,
      "permanent",
    );
  }
  if (code === "network_allowlist_unsupported" || code === "upstream_auth") {
    return new SandboxProviderError(
      `the Modal app cannot ${operation}${said}; fix the app's deployment (docs/deploy-sandboxes.md)`,
      "permanent",
    );
  }
  if (status >= 500 || status === 408 || status === 409 || status === 425) {
    return new SandboxProviderError(
      `the Modal app failed to ${operation} (HTTP ${status}${said}); Nightshift will retry`,
      "transient",
    );
  }
  if (status === 404 && code === null) {
    return new SandboxProviderError(
      `the Modal app at ${context.appUrl} has no such endpoint (HTTP 404); is MODAL_APP_URL the app's web endpoint URL and the app up to date?`,
      "permanent",
    );
  }
  return new SandboxProviderError(
    `the Modal app refused to ${operation} (HTTP ${status}${said})`,
    "permanent",
  );
}
