/** Request parsing with zod: every failure becomes a 4xx AppError that names the bad field. */
import type { Context } from "hono";
import type { z } from "zod";
import { AppError } from "./app-error";

export function toIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.join(".") || "(root)", message: i.message }));
}

function invalid(where: string, error: z.ZodError): AppError {
  const issues = toIssues(error);
  const first = issues[0];
  const summary = first ? `${first.path}: ${first.message}` : "invalid";
  return new AppError("invalid_request", 400, `invalid ${where}: ${summary}`, issues);
}

export async function parseJsonBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    throw new AppError(
      "unsupported_media_type",
      415,
      "send the body as JSON with content-type: application/json",
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(await c.req.text());
  } catch {
    throw new AppError("invalid_json", 400, "the request body is not valid JSON");
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw invalid("body", parsed.error);
  return parsed.data;
}

export function parseQuery<T extends z.ZodType>(c: Context, schema: T): z.infer<T> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw invalid("query", parsed.error);
  return parsed.data;
}
