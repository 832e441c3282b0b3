/**
 * The one way the dashboard talks HTTP to the Worker: same-origin fetch, JSON in, zod-validated
 * JSON out, and every failure turned into an ApiError carrying the server's stable error code.
 */
import { ErrorBody, retryAfterSeconds, TENANT_HEADER } from "@nightshift/protocol";
import type { z } from "zod";

export { TENANT_HEADER };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
    /** From a 429's Retry-After: how many seconds to wait before trying again. */
    readonly retryAfterSeconds?: number,
    /** A 400's per-field problems (`path` is the field, e.g. "filter"), so a form can show each beside its field. */
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
    this.name = "ApiError";
  }

  get isUnauthorized(): boolean {
    return this.status === 401;
  }

  get isNotFound(): boolean {
    return this.status === 404;
  }
}

let activeTenant: string | null = null;

/** Chosen in the tenant switcher; sent on every later request. */
export function setActiveTenant(tenantId: string | null): void {
  activeTenant = tenantId;
}

export function getActiveTenant(): string | null {
  return activeTenant;
}

/**
 * A tenant-scoped API path. The tenant goes in the path (`/api/v1/tenants/<id>/...`) rather than
 * only in the header because WebSockets cannot carry headers and links should mean one tenant.
 */
export function tenantPath(suffix: string, tenantId: string | null = activeTenant): string {
  return tenantId ? `/api/v1/tenants/${encodeURIComponent(tenantId)}${suffix}` : `/api/v1${suffix}`;
}

export interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  body?: unknown;
  signal?: AbortSignal;
}

async function errorFrom(res: Response): Promise<ApiError> {
  let raw: unknown = null;
  try {
    raw = await res.json();
  } catch {
    // Not JSON (a proxy page, an empty body): fall through to a generic message.
  }
  const parsed = ErrorBody.safeParse(raw);
  if (parsed.success) {
    const { code, message, requestId, issues } = parsed.data.error;
    return new ApiError(
      res.status,
      code,
      message,
      requestId,
      retryAfterSeconds(res.headers.get("retry-after")),
      issues,
    );
  }
  const hint = res.status >= 500 ? "the server failed; try again in a moment" : res.statusText || "failed";
  return new ApiError(
    res.status,
    res.status === 401 ? "unauthorized" : "http_error",
    `HTTP ${res.status}: ${hint}`,
  );
}

/** Sends a request and validates the answer with `schema` (pass null when no body is expected). */
export async function apiRequest<T>(
  path: string,
  schema: z.ZodType<T> | null,
  options: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (activeTenant) headers[TENANT_HEADER] = activeTenant;
  let res: Response;
  try {
    res = await fetch(path, {
      method: options.method ?? "GET",
      headers,
      credentials: "same-origin",
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") throw err;
    throw new ApiError(0, "network", "cannot reach the Nightshift server; check that it is running");
  }
  if (!res.ok) throw await errorFrom(res);
  if (schema === null || res.status === 204) return undefined as T;
  let raw: unknown;
  try {
    raw = await res.json();
  } catch {
    throw new ApiError(res.status, "invalid_response", `${path} answered with a body that is not JSON`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join(".")}` : "";
    throw new ApiError(
      res.status,
      "invalid_response",
      `${path} answered with an unexpected shape${where}: ${issue?.message ?? "invalid"}`,
    );
  }
  return parsed.data;
}

export function describeError(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return "something went wrong";
}
