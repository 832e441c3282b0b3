/**
 * Literals of the filter language, with JSON's spelling: double-quoted strings with JSON escapes,
 * JSON numbers, `true`, `false` and `null`. Also used for quoted keys in paths (`payload["a-b"]`).
 */
import { failAt, type Parsed, type Scanner } from "./scanner.ts";

export type Literal = string | number | boolean | null;

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

/** A double-quoted string at the cursor (the caller has seen the opening quote there). */
export function scanString(s: Scanner): Parsed<string> {
  const start = s.pos;
  let out = "";
  let i = start + 1;
  while (i < s.src.length) {
    const ch = s.src.charAt(i);
    if (ch === '"') return { ok: true, value: out, end: i + 1 };
    if (ch.charCodeAt(0) < 0x20) return failAt("a string cannot hold a raw control character", i);
    if (ch !== "\\") {
      out += ch;
      i++;
      continue;
    }
    const escaped = s.src.charAt(i + 1);
    const simple = SIMPLE_ESCAPES[escaped];
    if (Object.hasOwn(SIMPLE_ESCAPES, escaped) && simple !== undefined) {
      out += simple;
      i += 2;
    } else if (escaped === "u" && /^[0-9a-fA-F]{4}$/.test(s.src.slice(i + 2, i + 6))) {
      out += String.fromCharCode(Number.parseInt(s.src.slice(i + 2, i + 6), 16));
      i += 6;
    } else {
      return failAt(`unknown escape '\\${escaped}' in a string (use \\", \\\\, \\n, \\t or \\uXXXX)`, i);
    }
  }
  return failAt("this string is never closed (a '\"' is missing)", start);
}

/** A JSON number at the cursor: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
export function scanNumber(s: Scanner): Parsed<number> {
  const src = s.src;
  const start = s.pos;
  let i = start;
  if (src[i] === "-") i++;
  if (src[i] === "0") i++;
  else if (isDigit(src[i])) while (isDigit(src[i])) i++;
  else return failAt("expected a digit", i);
  if (src[i] === ".") {
    i++;
    if (!isDigit(src[i])) return failAt("expected a digit after the decimal point", i);
    while (isDigit(src[i])) i++;
  }
  if (src[i] === "e" || src[i] === "E") {
    i++;
    if (src[i] === "+" || src[i] === "-") i++;
    if (!isDigit(src[i])) return failAt("expected a digit in the exponent", i);
    while (isDigit(src[i])) i++;
  }
  const value = Number(src.slice(start, i));
  if (!Number.isFinite(value)) return failAt("this number is too large", start);
  return { ok: true, value, end: i };
}

/** Any literal at the cursor; `after` names what came before, for the message when there is none. */
export function scanLiteral(s: Scanner, after: string): Parsed<Literal> {
  const ch = s.peek();
  if (ch === '"') return scanString(s);
  if (ch === "-" || isDigit(ch)) return scanNumber(s);
  const start = s.pos;
  if (s.takeKeyword("true")) return { ok: true, value: true, end: s.pos };
  if (s.takeKeyword("false")) return { ok: true, value: false, end: s.pos };
  if (s.takeKeyword("null")) return { ok: true, value: null, end: s.pos };
  return failAt(
    `expected a value (a "string", a number, true, false or null) after ${after}, found ${s.describeHere()}`,
    start,
  );
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= "0" && ch <= "9";
}
