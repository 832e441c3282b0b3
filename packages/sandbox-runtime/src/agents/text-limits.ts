/**
 * Size limits of what the agent layer puts in events. CLI output can be arbitrarily large (a
 * tool that cats a log, a Write of a generated file); events travel over the bridge and sit in
 * the session log, so every free-form text is cut to a bound with a visible marker.
 */

/** A tool's output in `tool.end`. */
export const TOOL_OUTPUT_MAX_CHARS = 32 * 1024;
/** A string inside a tool's input in `tool.start` (e.g. the content of a written file). */
export const TOOL_INPUT_STRING_MAX_CHARS = 16 * 1024;
/** An assistant message. */
export const MESSAGE_MAX_CHARS = 200_000;
/** The turn summary (the protocol's limit for `turn.end.summary`). */
export const SUMMARY_MAX_CHARS = 20_000;
/** An error message (the protocol allows 10,000). */
export const ERROR_MAX_CHARS = 4_000;
/** One `log` event line. */
export const LOG_LINE_MAX_CHARS = 4_000;

const cutMarker = (count: number) => `… [${count} more characters cut]`;

/** Cuts `text` to at most `max` characters (marker included) and says how much was dropped. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  // The marker for the whole length is at least as long as the final one, so the result fits.
  const kept = Math.max(0, max - cutMarker(text.length).length);
  return text.slice(0, kept) + cutMarker(text.length - kept);
}

/** Copies a JSON-like value with every string cut to `max` characters; structures deeper than 8 are elided. */
export function limitStrings(value: unknown, max: number, depth = 0): unknown {
  if (typeof value === "string") return truncateText(value, max);
  if (value === null || typeof value !== "object") return value;
  if (depth >= 8) return "[nested too deep]";
  if (Array.isArray(value)) return value.slice(0, 1000).map((item) => limitStrings(item, max, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = limitStrings(item, max, depth + 1);
  return copy;
}
