/**
 * What the gateway knows about each model API: where it lives, how it takes a key, which paths a
 * sandbox may call through it, and which model a call is for. Only model calls (and their token
 * counting and model listing) are forwarded: a sandbox cannot use the tenant's key for files,
 * batches, fine-tuning or any other endpoint of the provider.
 */
import type { ModelProvider } from "@nightshift/protocol";

export interface ProviderSpec {
  provider: ModelProvider;
  /** The public API root, used when neither the tenant nor the deployment names another. */
  publicBaseUrl: string;
  /** Worker env vars: the deployment's key and base URL for this provider. */
  keyEnv: "ANTHROPIC_API_KEY" | "OPENAI_API_KEY" | "GEMINI_API_KEY";
  baseUrlEnv: "ANTHROPIC_BASE_URL" | "OPENAI_BASE_URL" | "GEMINI_BASE_URL";
  /** Puts the upstream key where this API expects it. */
  injectKey(headers: Headers, key: string): void;
  /** Whether `method path` (path after /sandbox/model/<provider>) is a call the gateway forwards. */
  allows(method: string, path: string): boolean;
  /** The model named by the path, when the API puts it there (Gemini). */
  modelFromPath(path: string): string | null;
}

const GEMINI_CALL =
  /^\/v1(?:beta|alpha)?\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)$/;
const listsModels = (method: string, path: string, prefix: RegExp) => method === "GET" && prefix.test(path);

export const PROVIDERS: Record<ModelProvider, ProviderSpec> = {
  anthropic: {
    provider: "anthropic",
    publicBaseUrl: "https://api.anthropic.com",
    keyEnv: "ANTHROPIC_API_KEY",
    baseUrlEnv: "ANTHROPIC_BASE_URL",
    injectKey: (headers, key) => headers.set("x-api-key", key),
    allows: (method, path) =>
      (method === "POST" && (path === "/v1/messages" || path === "/v1/messages/count_tokens")) ||
      listsModels(method, path, /^\/v1\/models(\/[\w.-]+)?$/),
    modelFromPath: () => null,
  },
  openai: {
    provider: "openai",
    publicBaseUrl: "https://api.openai.com",
    keyEnv: "OPENAI_API_KEY",
    baseUrlEnv: "OPENAI_BASE_URL",
    injectKey: (headers, key) => headers.set("authorization", `Bearer ${key}`),
    allows: (method, path) =>
      (method === "POST" && (path === "/v1/responses" || path === "/v1/chat/completions")) ||
      listsModels(method, path, /^\/v1\/models(\/[\w.-]+)?$/),
    modelFromPath: () => null,
  },
  gemini: {
    provider: "gemini",
    publicBaseUrl: "https://generativelanguage.googleapis.com",
    keyEnv: "GEMINI_API_KEY",
    baseUrlEnv: "GEMINI_BASE_URL",
    injectKey: (headers, key) => headers.set("x-goog-api-key", key),
    allows: (method, path) =>
      (method === "POST" && GEMINI_CALL.test(path)) ||
      listsModels(method, path, /^\/v1(beta|alpha)?\/models(\/[\w.-]+)?$/),
    modelFromPath: (path) => GEMINI_CALL.exec(path)?.[1] ?? null,
  },
};

/**
 * The upstream URL for `path` under `baseUrl`. A base URL that already ends in the version the
 * path starts with (`https://api.openai.com/v1`, as OpenAI's own SDKs spell it) is not doubled.
 */
export function upstreamUrl(baseUrl: string, path: string, search: URLSearchParams): string {
  const base = new URL(baseUrl);
  const basePath = base.pathname.replace(/\/+$/, "");
  const version = /^\/(v1(?:beta|alpha)?)\//.exec(path)?.[1];
  const rest = version && basePath.endsWith(`/${version}`) ? path.slice(version.length + 1) : path;
  base.pathname = `${basePath}${rest}`;
  base.search = search.toString();
  return base.toString();
}
