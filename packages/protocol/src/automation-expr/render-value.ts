/**
 * How one payload value becomes prompt text: scalars as themselves, objects and arrays as compact
 * JSON (written without recursion and stopped at the cap, so a deep or huge value costs no more
 * than the cap), anything else as "". Then control characters are stripped and `{{` / `}}` are
 * broken up, so a payload can neither hide text nor smuggle template syntax into the prompt.
 */

export const TRUNCATION_MARK = "…(truncated)";

/** The value as text, at most `budget` characters; `cut` when more was left out. */
export function valueText(value: unknown, budget: number): { text: string; cut: boolean } {
  switch (typeof value) {
    case "string":
      return value.length > budget
        ? { text: value.slice(0, budget), cut: true }
        : { text: value, cut: false };
    case "number":
      return { text: Number.isFinite(value) ? String(value) : "", cut: false };
    case "boolean":
    case "bigint":
      return { text: String(value), cut: false };
    case "object":
      if (value === null) return { text: "", cut: false };
      try {
        return compactJson(value, budget);
      } catch {
        // An exotic object (a revoked Proxy) cannot be read: render nothing rather than fail.
        return { text: "", cut: false };
      }
    default:
      return { text: "", cut: false };
  }
}

type Frame =
  | { kind: "array"; value: unknown[]; next: number }
  | { kind: "object"; value: object; keys: string[]; next: number };

/**
 * JSON.stringify's compact output for plain JSON data, written with an explicit stack. Own
 * enumerable data properties only (no getters run, no toJSON), a cycle written as "[circular]",
 * and it stops as soon as `budget` characters are out.
 */
function compactJson(root: object, budget: number): { text: string; cut: boolean } {
  const out: string[] = [];
  let length = 0;
  const emit = (piece: string) => {
    out.push(piece);
    length += piece.length;
  };
  const stack: Frame[] = [];
  const open = new Set<object>();

  const writeValue = (value: unknown): void => {
    if (value !== null && typeof value === "object") {
      if (open.has(value)) {
        emit('"[circular]"');
        return;
      }
      open.add(value);
      if (Array.isArray(value)) {
        emit("[");
        stack.push({ kind: "array", value, next: 0 });
      } else {
        emit("{");
        stack.push({ kind: "object", value, keys: Object.keys(value), next: 0 });
      }
      return;
    }
    // Object keys whose value JSON leaves out were skipped already; in an array JSON writes null.
    emit(scalarJson(value, budget - length) ?? "null");
  };

  writeValue(root);
  while (stack.length > 0 && length <= budget) {
    const frame = stack[stack.length - 1]!;
    if (frame.kind === "array") {
      if (frame.next >= frame.value.length) {
        emit("]");
        close(frame.value);
        continue;
      }
      if (frame.next > 0) emit(",");
      const descriptor = Object.getOwnPropertyDescriptor(frame.value, frame.next++);
      writeValue(descriptor && "value" in descriptor ? descriptor.value : null);
    } else {
      const key = nextWritableKey(frame);
      if (key === undefined) {
        emit("}");
        close(frame.value);
        continue;
      }
      if (out[out.length - 1] !== "{") emit(",");
      emit(`${JSON.stringify(key.name)}:`);
      writeValue(key.value);
    }
  }
  const text = out.join("");
  if (stack.length > 0 || text.length > budget) return { text: text.slice(0, budget), cut: true };
  return { text, cut: false };

  function close(value: object): void {
    stack.pop();
    open.delete(value);
  }
}

/** The next key of an object frame whose value JSON would write (data property, not undefined/function). */
function nextWritableKey(frame: {
  value: object;
  keys: string[];
  next: number;
}): { name: string; value: unknown } | undefined {
  while (frame.next < frame.keys.length) {
    const name = frame.keys[frame.next++]!;
    const descriptor = Object.getOwnPropertyDescriptor(frame.value, name);
    if (!descriptor || !("value" in descriptor)) continue;
    const value: unknown = descriptor.value;
    if (value === undefined || typeof value === "function" || typeof value === "symbol") continue;
    return { name, value };
  }
  return undefined;
}

/** A scalar as JSON; undefined for what JSON leaves out (undefined, functions, symbols). */
function scalarJson(value: unknown, room: number): string | undefined {
  switch (typeof value) {
    case "string":
      // Only as much of a long string as can still fit, so a 10 MB string costs the cap.
      return JSON.stringify(value.length > room ? value.slice(0, Math.max(room, 0)) : value);
    case "number":
      return Number.isFinite(value) ? String(value) : "null";
    case "boolean":
      return String(value);
    case "bigint":
      return `"${String(value)}"`;
    case "object":
      return "null";
    default:
      return undefined;
  }
}

/**
 * Strips what could hide or reorder text (C0/C1 controls except tab and newline, bidi overrides,
 * zero-width characters, lone surrogates), turns CR/CRLF into LF, and breaks up `{{` and `}}`.
 */
export function sanitizeValue(text: string): string {
  let out = "";
  // The last character written, kept apart: asking `out` would flatten the growing string each time.
  let last = "";
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x0d) {
      if (text.charCodeAt(i + 1) !== 0x0a) {
        out += "\n";
        last = "\n";
      }
      continue;
    }
    if (code >= 0xd800 && code <= 0xdbff) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        out += text.slice(i, i + 2);
        last = text.charAt(i + 1);
        i++;
      }
      continue;
    }
    if (isHidden(code)) continue;
    const ch = text.charAt(i);
    out += formsBracePair(out.length > 0 ? last : "", ch) ? ` ${ch}` : ch;
    last = ch;
  }
  return out;
}

/** Whether `next` after `previous` (one character each) would form `{{` or `}}`. */
export function formsBracePair(previous: string, next: string): boolean {
  return (next === "{" || next === "}") && previous === next;
}

function isHidden(code: number): boolean {
  if (code === 0x09 || code === 0x0a) return false;
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    (code >= 0xdc00 && code <= 0xdfff) ||
    (code >= 0x200b && code <= 0x200f) ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2060 && code <= 0x2064) ||
    (code >= 0x2066 && code <= 0x2069) ||
    code === 0xfeff
  );
}

/** At most `max` characters, ending in the truncation mark when anything was cut (never half a surrogate pair). */
export function capText(text: string, max: number, alreadyCut = false): string {
  if (text.length <= max && !alreadyCut) return text;
  let keep = Math.max(0, max - TRUNCATION_MARK.length);
  if (keep > text.length) keep = text.length;
  const last = text.charCodeAt(keep - 1);
  if (keep > 0 && last >= 0xd800 && last <= 0xdbff) keep--;
  return text.slice(0, keep) + TRUNCATION_MARK;
}
