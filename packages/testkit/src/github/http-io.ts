/**
 * Request/response plumbing shared by the GitHub double's handlers: body reading with a cap,
 * GitHub-shaped JSON errors (`{message, documentation_url}`), and the error type handlers throw.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

const MAX_BODY_BYTES = 25 * 1024 * 1024;
const DOCS_URL = "https://docs.github.com/rest";

/** A failure a handler wants rendered the way GitHub renders it. */
export class GithubApiError extends Error {
  readonly status: number;
  readonly errors: unknown[] | undefined;

  constructor(status: number, message: string, errors?: unknown[]) {
    super(message);
    this.status = status;
    this.errors = errors;
  }
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new GithubApiError(413, "Payload too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const raw = (await readBody(req)).toString("utf8");
  if (raw.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // fall through: GitHub answers unparsable bodies with 400 "Problems parsing JSON"
  }
  throw new GithubApiError(400, "Problems parsing JSON");
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res
    .writeHead(status, {
      "content-type": "application/json; charset=utf-8",
      "x-github-api-version-selected": "2022-11-28",
      ...headers,
    })
    .end(JSON.stringify(body));
}

export function sendError(res: ServerResponse, error: GithubApiError): void {
  const body: Record<string, unknown> = {
    message: error.message,
    documentation_url: DOCS_URL,
    status: String(error.status),
  };
  if (error.errors) body.errors = error.errors;
  sendJson(res, error.status, body);
}

/** GitHub's timestamps: ISO 8601 in UTC without milliseconds. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The 422 GitHub sends when a field is wrong ("Validation Failed" with one error entry). */
export function validationFailed(resource: string, field: string, message: string): GithubApiError {
  return new GithubApiError(422, "Validation Failed", [{ resource, field, code: "custom", message }]);
}
