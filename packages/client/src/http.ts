/**
 * One HTTP call to the API: the request checked against its schema before it leaves, the answer
 * parsed with the response schema, every failure turned into a typed error (errors.ts).
 */
import { ErrorBody, retryAfterSeconds } from "@nightshift/protocol";
import type { z } from "zod";
import { ApiError, fieldIssues, NetworkError, RequestValidationError } from "./errors.ts";

export interface Transport {
  /** The control plane's origin, e.g. http://127.0.0.1:8787 (no trailing slash). */
  baseUrl: string;
  /** Credentials and the like, sent on every request and on the stream's upgrade. */
  headers: Record<string, string>;
  fetch: typeof fetch;
}

export interface Call<T> {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** Null for answers without a body (204). */
  response: z.ZodType<T> | null;
  signal?: AbortSignal;
}

/** Parses `input` with `schema` or throws RequestValidationError naming `what`; nothing is sent. */
export function checked<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new RequestValidationError(what, fieldIssues(result.error.issues));
  return result.data;
}

async function errorFrom(res: Response): Promise<ApiError> {
  const raw: unknown = await res.json().catch(() => null);
  const parsed = ErrorBody.safeParse(raw);
  if (parsed.success) {
    const { code, message, requestId, issues } = parsed.data.error;
    return new ApiError(
      res.status,
      code,
      message,
      requestId,
      issues ?? [],
      retryAfterSeconds(res.headers.get("retry-after")),
    );
  }
  // Not the API's error shape: a proxy's page, or something else listening on that address.
  const hint =
    res.status >= 500
      ? "the server failed; try again in a moment"
      : `unexpected answer (${res.statusText || "no reason given"}); is this a Nightshift control plane?`;
  return new ApiError(
    res.status,
    "http_error",
    `HTTP ${res.status}: ${hint}`,
    undefined,
    [],
    retryAfterSeconds(res.headers.get("retry-after")),
  );
}

function urlOf(transport: Transport, path: string, query: Call<unknown>["query"]): string {
  const url = new URL(`${transport.baseUrl}${path}`);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url.toString();
}

export async function send<T>(transport: Transport, call: Call<T>): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json", ...transport.headers };
  if (call.body !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await transport.fetch(urlOf(transport, call.path, call.query), {
      method: call.method,
      headers,
      ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
      ...(call.signal ? { signal: call.signal } : {}),
    });
  } catch (error) {
    if (call.signal?.aborted) throw error;
    const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new NetworkError(`cannot reach ${transport.baseUrl} (${reason}); is the control plane running?`);
  }
  if (!res.ok) throw await errorFrom(res);
  if (call.response === null) return undefined as T;
  const raw: unknown = await res.json().catch(() => undefined);
  const parsed = call.response.safeParse(raw);
  if (!parsed.success) {
    throw new NetworkError(
      `${call.method} ${call.path} answered with a body this client does not understand (${fieldIssues(
        parsed.error.issues,
      )
        .slice(0, 3)
        .map((i) => `${i.path || "(body)"}: ${i.message}`)
        .join("; ")}); the server and client versions may differ`,
      res.status,
    );
  }
  return parsed.data;
}
