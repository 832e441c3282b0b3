/**
 * GitHub failures classified once, from the status: 5xx, 429, a 403 that is a rate limit, and
 * network errors are transient (retry later); any other 4xx is permanent (GitHub refused this
 * request and will refuse it again). The token broker, the repo API, installations and the
 * session's outbox all decide from here, and routes keep GitHub's 4xx meaning.
 */
import type { ErrorCode } from "@nightshift/protocol";
import { AppError } from "../http/app-error";

export type FailureKind = "transient" | "permanent";

export interface GithubFailure {
  kind: FailureKind;
  /** GitHub's HTTP status; null when no answer came (network, timeout, an unreadable answer). */
  status: number | null;
  message: string;
}

type HeaderSource = Headers | Record<string, unknown> | undefined;

function header(headers: HeaderSource, name: string): string | undefined {
  if (!headers) return undefined;
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name];
  return value === undefined || value === null ? undefined : String(value);
}

/** GitHub signals both its primary and secondary rate limits on 403 (and 429) with these headers. */
function isRateLimit(headers: HeaderSource): boolean {
  return header(headers, "x-ratelimit-remaining") === "0" || header(headers, "retry-after") !== undefined;
}

export function classifyStatus(status: number | null, headers?: HeaderSource): FailureKind {
  if (status === null || status >= 500 || status === 429 || status === 408) return "transient";
  if (status === 403 && isRateLimit(headers)) return "transient";
  return "permanent";
}

/** A failed GitHub call: what was being done, GitHub's status, and whether retrying can help. */
export class GithubCallError extends Error implements GithubFailure {
  readonly kind: FailureKind;

  constructor(
    readonly what: string,
    readonly status: number | null,
    headers?: HeaderSource,
    detail?: string,
  ) {
    super(`GitHub ${what} failed (${status ?? "network"})${detail ? `: ${detail.slice(0, 160)}` : ""}`);
    this.kind = classifyStatus(status, headers);
  }

  /** From whatever a GitHub client threw: an Octokit RequestError carries the status and headers. */
  static from(what: string, error: unknown): GithubCallError {
    if (error instanceof GithubCallError) return error;
    const status = statusOf(error);
    if (status === null) return new GithubCallError(what, null);
    const response = (error as { response?: { headers?: Record<string, unknown>; data?: unknown } }).response;
    return new GithubCallError(what, status, response?.headers, githubMessage(response?.data));
  }

  /** From a fetch Response that was not ok. */
  static async fromResponse(what: string, res: Response): Promise<GithubCallError> {
    const data = await res.json().catch(() => null);
    return new GithubCallError(what, res.status, res.headers, githubMessage(data));
  }
}

/** The HTTP status of an Octokit RequestError (or anything carrying one), or null. */
export function statusOf(error: unknown): number | null {
  if (error && typeof error === "object" && "status" in error && typeof error.status === "number")
    return error.status;
  return null;
}

/** GitHub's own one-line reason (`{message}` in its error bodies), when it gave one. */
function githubMessage(data: unknown): string | undefined {
  if (data && typeof data === "object" && "message" in data && typeof data.message === "string")
    return data.message;
  return undefined;
}

/** Any failure of GitHub work as a GithubFailure; what is not a GitHub answer is transient. */
export function githubFailure(error: unknown): GithubFailure {
  if (error instanceof GithubCallError) return error;
  if (error instanceof AppError)
    return { kind: error.status >= 500 ? "transient" : "permanent", status: null, message: error.message };
  if (statusOf(error) !== null) return GithubCallError.from("request", error);
  return {
    kind: "transient",
    status: null,
    message: error instanceof Error ? error.message : "unknown error",
  };
}

/** The error code a permanent GitHub refusal becomes in our API: the same 4xx meaning. */
function codeForRefusal(status: number | null): ErrorCode {
  switch (status) {
    case 403:
      return "forbidden";
    case 404:
    case 410:
      return "not_found";
    case 409:
      return "conflict";
    case 401:
      // GitHub refused the App's own credentials: our configuration is at fault, not the caller.
      return "upstream_failed";
    default:
      return "unprocessable";
  }
}

/** Turns a failed piece of GitHub work into the AppError a request handler shows. */
export function githubAppError(error: unknown, doing: string): AppError {
  if (error instanceof AppError) return error;
  const failure = githubFailure(error);
  const status = failure.status ?? "network";
  if (failure.kind === "transient")
    return new AppError(
      "upstream_unavailable",
      `GitHub did not answer while ${doing} (status ${status}); retry shortly`,
    );
  return new AppError(
    codeForRefusal(failure.status),
    `GitHub refused ${doing} (status ${status}); ${refusalHint(failure.status)}`,
  );
}

function refusalHint(status: number | null): string {
  if (status === 404 || status === 410)
    return "the repository or installation is gone, or the GitHub App can no longer see it";
  if (status === 403) return "the GitHub App lacks the permission this needs; check the installation's grant";
  if (status === 401) return "GitHub did not accept the App's credentials; check the App settings";
  return "retrying will not change GitHub's answer";
}
