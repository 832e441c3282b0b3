/**
 * The forms a secret can take in output. A tool that prints a secret rarely prints only the raw
 * value: it shows up URL-encoded in a URL or form body, JSON-escaped in a JSON dump, hex-encoded,
 * or base64-encoded (an Authorization header, a config blob) — and inside a longer base64 text
 * the secret's bytes may start at any of three offsets of a 3-byte group, which changes every
 * character. For each offset only the characters fully determined by the secret's bytes are a
 * form (the ones at the edges also depend on the neighbouring bytes).
 */

const BASE64_SKIP = [0, 2, 3] as const;

/** The base64 text that any encoding of `bytes` starting `offset` bytes into a 3-byte group contains. */
function base64Core(bytes: Buffer, offset: 0 | 1 | 2): string {
  const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
  const encoded = padded.toString("base64").replace(/=+$/, "");
  const determined = Math.floor((padded.length * 8) / 6);
  return encoded.slice(BASE64_SKIP[offset], determined);
}

function urlSafe(base64: string): string {
  return base64.replace(/\+/g, "-").replace(/\//g, "_");
}

/** JSON string escaping with every non-ASCII character as \uXXXX (how some encoders write it). */
function jsonAsciiEscaped(value: string): string {
  return JSON.stringify(value)
    .slice(1, -1)
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Shorter encoded fragments would match ordinary text too often. */
const MIN_ENCODED_LENGTH = 6;

export function secretForms(value: string): string[] {
  if (value.length === 0) return [];
  const bytes = Buffer.from(value, "utf8");
  const forms = new Set<string>([value]);
  const encoded = [
    encodeURIComponent(value),
    encodeURIComponent(value).replace(/%20/g, "+"),
    JSON.stringify(value).slice(1, -1),
    jsonAsciiEscaped(value),
    bytes.toString("hex"),
    bytes.toString("hex").toUpperCase(),
  ];
  for (const offset of [0, 1, 2] as const) {
    const core = base64Core(bytes, offset);
    encoded.push(core, urlSafe(core));
  }
  for (const form of encoded) {
    if (form.length >= Math.min(MIN_ENCODED_LENGTH, value.length)) forms.add(form);
  }
  return [...forms];
}

/** Every form of every value, deduplicated, longest first (a secret containing another is masked whole). */
export function allSecretForms(values: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const value of values) for (const form of secretForms(value)) forms.add(form);
  return [...forms].sort((a, b) => b.length - a.length);
}
