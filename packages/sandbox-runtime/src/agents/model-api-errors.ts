/**
 * What a failed model API call means for the person watching, decided once for every adapter:
 * a stable error code and a message that says what to do next. Agent CLIs report the HTTP
 * status (when there was a response) and their own text; both are used.
 */
import type { ModelProvider } from "@nightshift/protocol";

export interface ModelApiFailure {
  /** The API the CLI called, naming the variables to check; Anthropic's when absent. */
  provider?: ModelProvider;
  /** HTTP status of the model API's answer; absent when there was no answer (network). */
  status?: number;
  /** The CLI's own classification, e.g. Claude Code's "authentication_failed". */
  kind?: string;
  /** The CLI's text about it. */
  text: string;
}

export interface DescribedError {
  code: string;
  message: string;
}

/** The key and base URL variables of each provider's API, as the model relay sets them. */
const VARIABLES: Record<ModelProvider, { key: string; baseUrl: string }> = {
  anthropic: { key: "ANTHROPIC_API_KEY", baseUrl: "ANTHROPIC_BASE_URL" },
  openai: { key: "OPENAI_API_KEY", baseUrl: "OPENAI_BASE_URL" },
  gemini: { key: "GEMINI_API_KEY", baseUrl: "GOOGLE_GEMINI_BASE_URL" },
};

function detail(text: string): string {
  const trimmed = text.trim();
  return trimmed ? ` The CLI said: "${trimmed}".` : "";
}

export function describeModelApiError(failure: ModelApiFailure): DescribedError {
  const said = detail(failure.text);
  const { status } = failure;
  const variables = VARIABLES[failure.provider ?? "anthropic"];
  if (status === 401 || failure.kind === "authentication_failed") {
    return {
      code: "model_auth_failed",
      message: `The model API rejected the key (401). Set ${variables.key} (or the tenant's model key secret) to a valid key.${said}`,
    };
  }
  if (status === 402) {
    return {
      code: "model_budget_exhausted",
      message: `The model budget is used up (402); a tenant admin can raise it in Settings → Budget.${said}`,
    };
  }
  if (status === 403) {
    return {
      code: "model_forbidden",
      message: `The model API refused this key access to the model (403); check the key's organization and model permissions.${said}`,
    };
  }
  if (status === 404) {
    return {
      code: "model_not_found",
      message: `The model API does not know this model (404); check the session's model name.${said}`,
    };
  }
  if (status === 429) {
    return {
      code: "model_rate_limited",
      message: `The model API is rate-limiting this key (429); wait and send the prompt again, or raise the account's limits.${said}`,
    };
  }
  if (status === 529) {
    return {
      code: "model_overloaded",
      message: `The model API is overloaded (529); send the prompt again in a few minutes.${said}`,
    };
  }
  if (status !== undefined && status >= 500) {
    return {
      code: "model_api_error",
      message: `The model API failed (${status}); send the prompt again later.${said}`,
    };
  }
  if (status !== undefined && status >= 400) {
    return { code: "model_bad_request", message: `The model API rejected the request (${status}).${said}` };
  }
  return {
    code: "model_unreachable",
    message: `The model API could not be reached; check ${variables.baseUrl} and the sandbox's network egress.${said}`,
  };
}
