/**
 * Masks secret values in text the control plane logs or stores. Values shorter than
 * MASK_MIN_LENGTH are left alone: masking "a" or "on" would shred every message and hide nothing.
 * Besides the value itself, the forms a program commonly prints it in are masked too: JSON-escaped,
 * base64 (standard and URL-safe, at any alignment inside a longer encoding) and hex.
 */

export const MASK_MIN_LENGTH = 4;
export const MASK = "[redacted]";
/** Shorter encoded fragments would match unrelated base64 or hex by chance. */
const ENCODED_MIN_LENGTH = 8;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function base64OfBytes(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/**
 * The characters of base64(value) that do not depend on the bytes around it, for each of the three
 * positions the value can start at inside a longer encoded string.
 */
function base64Forms(bytes: Uint8Array): string[] {
  const out: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const padded = new Uint8Array(offset + bytes.length);
    padded.set(bytes, offset);
    const encoded = base64OfBytes(padded).replace(/=+$/, "");
    // Leading characters that mix in the `offset` unknown bytes before the value.
    const head = offset === 0 ? 0 : offset === 1 ? 2 : 3;
    // A trailing character that mixes in the unknown byte after the value.
    const tail = (offset + bytes.length) % 3 === 0 ? 0 : 1;
    const core = encoded.slice(head, encoded.length - tail);
    if (core.length >= ENCODED_MIN_LENGTH) {
      out.push(core);
      const urlSafe = core.replace(/\+/g, "-").replace(/\//g, "_");
      if (urlSafe !== core) out.push(urlSafe);
    }
  }
  return out;
}

function hexForms(bytes: Uint8Array): string[] {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return hex.length >= ENCODED_MIN_LENGTH ? [hex, hex.toUpperCase()] : [];
}

/** The forms a value takes in output: as is, JSON-escaped, base64 and hex. */
function variants(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  const bytes = new TextEncoder().encode(value);
  return [value, json, ...base64Forms(bytes), ...hexForms(bytes)];
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
