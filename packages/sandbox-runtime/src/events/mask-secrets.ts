/**
 * Secret masking: every string inside an event that contains a secret value has it replaced by
 * `***` before the event is buffered, so no secret reaches the control plane, a log or a client.
 * Pure: the input is never mutated.
 */

export const MASK = "***";

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The forms a value may take in output: as is, and URL-encoded (it may sit in a URL or a form body). */
function formsOf(value: string): string[] {
  const forms = [value];
  const encoded = encodeURIComponent(value);
  if (encoded !== value) forms.push(encoded);
  return forms;
}

/** Compiles the values once; the returned function masks any JSON-like value deeply. */
export function createMasker(values: readonly string[]): <T>(value: T) => T {
  const forms = [...new Set(values.filter((v) => v.length > 0).flatMap(formsOf))];
  if (forms.length === 0) return (value) => value;
  // Longest first, so a secret that contains another one is masked whole.
  forms.sort((a, b) => b.length - a.length);
  const pattern = new RegExp(forms.map(escapeRegExp).join("|"), "g");

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
