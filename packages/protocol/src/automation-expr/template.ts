/**
 * Prompt templates: text with `{{ payload.path }}` and `{{ preset.name }}` substitutions
 * (docs/automation-expressions.md). Every substituted value is made safe (render-value.ts) and
 * capped; the whole prompt is capped too. Rendering is one pass over the parsed parts, so a
 * value is never read as template syntax.
 */
import { type ExprPath, type ExprScope, formatPath, resolvePath, scanPath } from "./path.ts";
import { capText, formsBracePair, sanitizeValue, valueText } from "./render-value.ts";
import { type ExprError, exprError, Scanner } from "./scanner.ts";

export const MAX_TEMPLATE_CHARS = 20_000;
export const DEFAULT_MAX_VALUE_CHARS = 2_000;
export const DEFAULT_MAX_PROMPT_CHARS = 20_000;

export type TemplatePart = { kind: "text"; text: string } | { kind: "value"; path: ExprPath };

/** A parsed template: plain data, rendered against any number of payloads. */
export type Template = { readonly source: string; readonly parts: readonly TemplatePart[] };

export type RenderOptions = {
  /** Cap on one substituted value, truncation mark included (default 2,000). */
  maxValueChars?: number;
  /** Cap on the whole prompt, truncation mark included (default 20,000). */
  maxChars?: number;
  /** A preset's variables, read by `{{preset.name}}`. */
  preset?: Readonly<Record<string, string>>;
};

export function parseTemplate(
  src: string,
): { ok: true; template: Template } | { ok: false; error: ExprError } {
  if (src.length > MAX_TEMPLATE_CHARS)
    return {
      ok: false,
      error: exprError(`a template may be at most ${MAX_TEMPLATE_CHARS} characters long`, MAX_TEMPLATE_CHARS),
    };
  const parts: TemplatePart[] = [];
  let textStart = 0;
  for (;;) {
    const open = src.indexOf("{{", textStart);
    if (open === -1) break;
    if (open > textStart) parts.push({ kind: "text", text: src.slice(textStart, open) });
    const s = new Scanner(src, open + 2);
    s.skipWhitespace();
    if (s.atEnd) return { ok: false, error: exprError("this '{{' is never closed with '}}'", open) };
    if (s.startsWith("}}"))
      return { ok: false, error: exprError("expected a path such as payload.title inside '{{ }}'", s.pos) };
    const path = scanPath(s);
    if (!path.ok) return path;
    s.pos = path.end;
    s.skipWhitespace();
    if (!s.startsWith("}}")) {
      const message = s.atEnd
        ? `this '{{' is never closed with '}}'`
        : `expected '}}' to close the '{{' opened at ${open}, found ${s.describeHere()}`;
      return { ok: false, error: exprError(message, s.atEnd ? open : s.pos) };
    }
    parts.push({ kind: "value", path: path.value });
    textStart = s.pos + 2;
  }
  if (textStart < src.length) parts.push({ kind: "text", text: src.slice(textStart) });
  return { ok: true, template: { source: src, parts } };
}

/**
 * The prompt for one delivery. Unknown values render as ""; objects and arrays as compact JSON.
 * A prompt that is only whitespace is the caller's to skip (it trims).
 */
export function renderTemplate(template: Template, payload: unknown, opts?: RenderOptions): string {
  const maxValue = positiveOr(opts?.maxValueChars, DEFAULT_MAX_VALUE_CHARS);
  const maxChars = positiveOr(opts?.maxChars, DEFAULT_MAX_PROMPT_CHARS);
  const scope: ExprScope = { payload, preset: opts?.preset };
  let out = "";
  let last = "";
  for (const part of template.parts) {
    let piece = part.kind === "text" ? part.text : renderValue(resolvePath(scope, part.path), maxValue);
    if (piece.length === 0) continue;
    // A value next to a brace (or another value) must not complete a `{{` or `}}` across the seam.
    if (formsBracePair(last, piece.charAt(0))) piece = ` ${piece}`;
    out += piece;
    last = piece.charAt(piece.length - 1);
    if (out.length > maxChars) break;
  }
  return capText(out, maxChars);
}

function renderValue(value: unknown, maxValue: number): string {
  // Read a little past the cap: stripping may shorten the text, and the cap applies after it.
  const { text, cut } = valueText(value, maxValue * 2 + 16);
  return capText(sanitizeValue(text), maxValue, cut);
}

function positiveOr(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isInteger(value) && value > 0 ? value : fallback;
}

/** The paths a template reads, as written canonically (for the dashboard's hints). */
export function templatePaths(template: Template): string[] {
  return template.parts.flatMap((part) => (part.kind === "value" ? [formatPath(part.path)] : []));
}
