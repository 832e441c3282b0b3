/**
 * Secret masking: every string inside an event that contains a secret value — raw or in one of
 * its encoded forms (see secret-forms.ts) — has it replaced by `***` before the event is
 * buffered, so no secret reaches the control plane, a log or a client. Pure: the input is never
 * mutated. Text that arrives in pieces (deltas, output chunks) is masked across the pieces by
 * stream-masker.ts, which uses the same forms.
 */
import { allSecretForms } from "./secret-forms";

export const MASK = "***";

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** One regular expression for all forms of all values; null when there is nothing to mask. */
export function secretPattern(values: readonly string[]): { pattern: RegExp; forms: string[] } | null {
  const forms = allSecretForms(values.filter((v) => v.length > 0));
  if (forms.length === 0) return null;
  return { pattern: new RegExp(forms.map(escapeRegExp).join("|"), "g"), forms };
}

/** Compiles the values once; the returned function masks any JSON-like value deeply. */
export function createMasker(values: readonly string[]): <T>(value: T) => T {
  const compiled = secretPattern(values);
  if (!compiled) return (value) => value;
  const { pattern } = compiled;

  const maskDeep = (value: unknown): unknown => {
    if (typeof value === "string") return value.replace(pattern, MASK);
    if (Array.isArray(value)) return value.map(maskDeep);
    if (value !== null && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(value)) out[key] = maskDeep(inner);
      return out;
    }
    return value;
  };
  return <T>(value: T) => maskDeep(value) as T;
}

/** Replaces every occurrence of every value in `values` by `***` in all strings of `event`. */
export function maskSecrets<T>(event: T, values: readonly string[]): T {
  return createMasker(values)(event);
}
