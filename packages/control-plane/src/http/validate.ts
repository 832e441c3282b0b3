/**
 * Request validation as hono middleware (@hono/zod-validator): handlers read typed values with
 * `c.req.valid("json" | "query" | "param")`. Every failure becomes the project's AppError, so the
 * error contract stays one: 415 for a body that is not JSON, 400 `invalid_json` for JSON that does
 * not parse, 400 `invalid_request` naming the bad field. Bodies over MAX_BODY_BYTES are refused
 * with 413 by the app-wide bodyLimit, whose error passes through here untouched.
 */
import { zValidator } from "@hono/zod-validator";
import type { Context, Env } from "hono";
import type { z } from "zod";
import { AppError } from "./app-error";

export type Issue = { path: string; message: string };

function toIssues(error: z.core.$ZodError): Issue[] {
  return error.issues.map((i) => ({ path: i.path.join(".") || "(root)", message: i.message }));
}

function invalid(where: string, error: z.core.$ZodError): AppError {
  const issues = toIssues(error);
  const first = issues[0];
  const summary = first ? `${first.path}: ${first.message}` : "invalid";
  return new AppError("invalid_request", `invalid ${where}: ${summary}`, issues);
}

type ValidationResult = { success: true } | { success: false; error: z.core.$ZodError };

/** The validator's hook: a failed parse is thrown as the AppError the error handler renders. */
function throwWhenInvalid(where: string) {
  return (result: ValidationResult): undefined => {
    if (!result.success) throw invalid(where, result.error);
  };
}

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

function mediaType(c: Context): string {
  return (c.req.header("content-type") ?? "").split(";")[0]?.trim() ?? "";
}

/** A request with no body at all: no content-type, or an explicit zero length. */
function hasNoBody(c: Context): boolean {
  return c.req.header("content-length") === "0" || c.req.header("content-type") === undefined;
}

/**
 * Reads the body once (hono caches it for the validator) so a non-JSON body is a 415 and
 * unparseable JSON is `invalid_json`, not the validator's generic 400. The read stays outside the
 * try: the body-limit error from a too-large body must reach its own 413 handler.
 */
async function requireJsonBody(c: Context): Promise<void> {
  if (!JSON_MEDIA_TYPE.test(mediaType(c))) {
    throw new AppError("unsupported_media_type", "send the body as JSON with content-type: application/json");
  }
  const text = await c.req.text();
  try {
    JSON.parse(text);
  } catch {
    throw new AppError("invalid_json", "the request body is not valid JSON");
  }
}

export interface JsonBodyOptions {
  /** A request without a body validates `{}` against the schema (for all-optional bodies). */
  optional?: boolean;
}

/** The JSON body, validated: `c.req.valid("json")`. */
export function jsonBody<T extends z.ZodType>(schema: T, options: JsonBodyOptions = {}) {
  const validate = zValidator("json", schema, throwWhenInvalid("body"));
  const checked: typeof validate = async (c, next) => {
    if (options.optional && hasNoBody(c)) {
      // No body to read: the validator would try to parse an empty JSON body, so `{}` stands in.
      const parsed = schema.safeParse({});
      if (!parsed.success) throw invalid("body", parsed.error);
      c.req.addValidatedData("json", parsed.data as object);
      return next();
    }
    await requireJsonBody(c);
    return validate(c, next);
  };
  return checked;
}

/**
 * The query string, validated: `c.req.valid("query")`. A repeated parameter arrives as an array,
 * so `?limit=5&limit=500` fails the schema instead of silently meaning one of them.
 */
export function queryOf<T extends z.ZodType, E extends Env = Env>(
  schema: T,
  /** Answers a bad query itself (a browser navigation gets a redirect, not JSON). */
  render?: (error: AppError, c: Context<E>) => Response,
) {
  const hook = (result: ValidationResult, c: Context<E>): Response | undefined => {
    if (result.success) return;
    const error = invalid("query", result.error);
    if (!render) throw error;
    return render(error, c);
  };
  return zValidator<T, "query", E, string, typeof hook>("query", schema, hook);
}

/**
 * The route's path parameters, validated: `c.req.valid("param")`. Without `refuse` a bad parameter
 * is a 400 naming it; `refuse` picks another answer, e.g. the 404 an unknown id gets (an id that
 * cannot exist is simply not found). It sees the raw parameters cut to a quotable length.
 */
export function paramsOf<T extends z.ZodType>(
  schema: T,
  refuse?: (raw: Record<string, string>, issues: Issue[]) => AppError,
) {
  const hook = (result: ValidationResult & { data: unknown }): undefined => {
    if (result.success) return;
    if (refuse) throw refuse(boundedParams(result.data), toIssues(result.error));
    throw invalid("path", result.error);
  };
  return zValidator("param", schema, hook);
}

/** Raw path parameters cut to a length fit to quote back in an error message. */
function boundedParams(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw && typeof raw === "object") {
    for (const [k, v] of Object.entries(raw)) out[k] = String(v).slice(0, 64);
  }
  return out;
}
