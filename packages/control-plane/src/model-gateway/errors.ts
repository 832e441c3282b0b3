/**
 * The gateway's own refusals, written in the error shape of the API the caller speaks, so the
 * agent CLI parses and shows them as it would the provider's (and a person reads the message).
 */
import type { ModelProvider } from "@nightshift/protocol";

export type GatewayErrorKind =
  | "unauthorized"
  | "session_ended"
  | "budget_exhausted"
  | "not_found"
  | "invalid_request"
  | "no_credential"
  | "upstream_unreachable";

const ANTHROPIC_TYPE: Record<GatewayErrorKind, string> = {
  unauthorized: "authentication_error",
  session_ended: "authentication_error",
  budget_exhausted: "billing_error",
  not_found: "not_found_error",
  invalid_request: "invalid_request_error",
  no_credential: "api_error",
  upstream_unreachable: "api_error",
};

const GEMINI_STATUS: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  410: "UNAUTHENTICATED",
  502: "UNAVAILABLE",
  503: "UNAVAILABLE",
};

export function gatewayErrorBody(
  provider: ModelProvider,
  status: number,
  kind: GatewayErrorKind,
  message: string,
): unknown {
  switch (provider) {
    case "anthropic":
      return { type: "error", error: { type: ANTHROPIC_TYPE[kind], message } };
    case "openai":
      return { error: { message, type: kind, param: null, code: kind } };
    case "gemini":
      return { error: { code: status, message, status: GEMINI_STATUS[status] ?? "FAILED_PRECONDITION" } };
  }
}

export function gatewayError(
  provider: ModelProvider,
  status: number,
  kind: GatewayErrorKind,
  message: string,
): Response {
  return new Response(JSON.stringify(gatewayErrorBody(provider, status, kind, message)), {
    status,
    // x-should-retry: false tells Anthropic's and OpenAI's SDKs (and so the CLIs) not to retry a refusal.
    headers: { "content-type": "application/json", "x-should-retry": "false" },
  });
}
