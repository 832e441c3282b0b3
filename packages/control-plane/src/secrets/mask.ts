/**
 * Masks secret values in text the control plane logs or stores. Values shorter than
 * MASK_MIN_LENGTH are left alone: masking "a" or "on" would shred every message and hide nothing.
 */

export const MASK_MIN_LENGTH = 4;
export const MASK = "[redacted]";

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The forms a value takes in output: as is, and JSON-escaped (quotes, backslashes, newlines). */
function variants(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  return json === value ? [value] : [value, json];
}

/** Builds a masker once for a set of values; it replaces every occurrence, longest values first. */
export function createSecretMasker(values: Iterable<string>): (text: string) => string {
  const forms = [...new Set([...values].filter((v) => v.length >= MASK_MIN_LENGTH).flatMap(variants))].sort(
    (a, b) => b.length - a.length,
  );
  if (forms.length === 0) return (text) => text;
  const pattern = new RegExp(forms.map(escapeRegExp).join("|"), "g");
  return (text) => text.replace(pattern, MASK);
}

export function maskSecrets(text: string, values: Iterable<string>): string {
  return createSecretMasker(values)(text);
}
