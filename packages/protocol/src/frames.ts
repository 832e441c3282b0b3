/** Parsing of raw socket text into a typed frame, with an error that says what was wrong. */
import type { z } from "zod";

export type FrameParseResult<T> =
  | { ok: true; frame: T }
  | { ok: false; code: "invalid_frame" | "unknown_frame"; message: string };

export const MAX_FRAME_BYTES = 1024 * 1024;

export function parseFrame<T>(
  schema: z.ZodType<T>,
  raw: string | ArrayBuffer,
  knownTypes: readonly string[],
): FrameParseResult<T> {
  if (typeof raw !== "string") {
    return { ok: false, code: "invalid_frame", message: "binary frames are not accepted; send JSON text" };
  }
  if (raw.length > MAX_FRAME_BYTES) {
    return { ok: false, code: "invalid_frame", message: `frame is larger than ${MAX_FRAME_BYTES} bytes` };
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, code: "invalid_frame", message: "frame is not valid JSON" };
  }
  const type = typeof value === "object" && value !== null ? (value as { type?: unknown }).type : undefined;
  if (typeof type !== "string" || !knownTypes.includes(type)) {
    return {
      ok: false,
      code: "unknown_frame",
      message: `unknown frame type ${JSON.stringify(type ?? null)}; expected one of ${knownTypes.join(", ")}`,
    };
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
    return { ok: false, code: "invalid_frame", message: `invalid ${type} frame${where}: ${issue?.message}` };
  }
  return { ok: true, frame: parsed.data };
}
