/** The shape of every error body and error frame, and the stable codes they carry. */
import { z } from "zod";

export const ERROR_CODES = [
  "invalid_request",
  "invalid_json",
  "payload_too_large",
  "unauthorized",
  "forbidden",
  "not_found",
  "session_not_found",
  "conflict",
  "session_closed",
  "rate_limited",
  "unsupported_media_type",
  "invalid_frame",
  "unknown_frame",
  "upstream_unavailable",
  "internal",
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    requestId: z.string().optional(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
