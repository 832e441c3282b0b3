/**
 * Paths into a delivery: `payload.a.b[0]`, `payload["key with-dashes"]`, and `preset.title` (the
 * variables a preset such as Sentry or GitHub Actions extracted). Reading a path looks at own data
 * properties only, one step at a time with no recursion, so `__proto__`, `constructor` and
 * `prototype` never reach Object.prototype, a getter never runs, and a hostile payload (huge, deep,
 * a Proxy) can at worst make the path read as missing.
 */
import { scanString } from "./literal.ts";
import { type ExprError, exprError, failAt, isNameChar, type Parsed, Scanner } from "./scanner.ts";

export const PATH_ROOTS = ["payload", "preset"] as const;
export type PathRoot = (typeof PATH_ROOTS)[number];

/** Past this many steps a path is refused: a filter has no business 33 levels down. */
export const MAX_PATH_DEPTH = 32;
const MAX_INDEX_DIGITS = 9;
const MAX_PATH_CHARS = 1_000;

export type ExprPath = { readonly root: PathRoot; readonly steps: readonly (string | number)[] };

/** What paths are read against: the parsed JSON body and, for presets, their variables. */
export type ExprScope = { payload: unknown; preset?: Readonly<Record<string, string>> };

/** Scans a path at the cursor (no whitespace inside a path). `roots` limits where it may start. */
export function scanPath(s: Scanner, roots: readonly PathRoot[] = PATH_ROOTS): Parsed<ExprPath> {
  const start = s.pos;
  let i = start;
  while (i < s.src.length && isNameChar(s.src.charCodeAt(i))) i++;
  const root = s.src.slice(start, i);
  if (!(roots as readonly string[]).includes(root)) {
    const expected = roots.map((r) => `'${r}.'`).join(" or ");
    return failAt(`expected a path starting with ${expected}, found ${s.describeHere()}`, start);
  }
  const steps: (string | number)[] = [];
  while (i < s.src.length) {
    const ch = s.src.charAt(i);
    if (ch !== "." && ch !== "[") break;
    if (steps.length >= MAX_PATH_DEPTH) return failAt(`a path may have at most ${MAX_PATH_DEPTH} steps`, i);
    const step = ch === "." ? scanName(s.src, i + 1) : scanBracket(s.src, i + 1);
    if (!step.ok) return step;
    steps.push(step.value);
    i = step.end;
  }
  return { ok: true, value: { root: root as PathRoot, steps }, end: i };
}

function scanName(src: string, at: number): Parsed<string> {
  let i = at;
  while (i < src.length && isNameChar(src.charCodeAt(i))) i++;
  if (i === at) return failAt("expected a field name after '.'", at);
  return { ok: true, value: src.slice(at, i), end: i };
}

function scanBracket(src: string, at: number): Parsed<string | number> {
  let key: Parsed<string | number>;
  if (src.charAt(at) === '"') {
    key = scanString(new Scanner(src, at));
  } else {
    let i = at;
    while (i < src.length && src.charAt(i) >= "0" && src.charAt(i) <= "9") i++;
    if (i === at) return failAt("expected an index like [0] or a quoted key like [\"name\"] after '['", at);
    if (i - at > MAX_INDEX_DIGITS) return failAt("this index is too large", at);
    key = { ok: true, value: Number(src.slice(at, i)), end: i };
  }
  if (!key.ok) return key;
  if (src.charAt(key.end) !== "]") return failAt("expected ']'", key.end);
  return { ok: true, value: key.value, end: key.end + 1 };
}

/** Parses a whole string as one path, e.g. an automation's dedupe key or repository path. */
export function parsePayloadPath(
  src: string,
  roots: readonly PathRoot[] = ["payload"],
): { ok: true; path: ExprPath } | { ok: false; error: ExprError } {
  if (src.length > MAX_PATH_CHARS)
    return { ok: false, error: exprError(`a path may be at most ${MAX_PATH_CHARS} characters long`, 0) };
  const s = new Scanner(src);
  const path = scanPath(s, roots);
  if (!path.ok) return path;
  if (path.end !== src.length) {
    s.pos = path.end;
    return { ok: false, error: exprError(`unexpected ${s.describeHere()} after the path`, path.end) };
  }
  return { ok: true, path: path.value };
}

/** The value at `path`, or undefined when any step is missing, inherited, an accessor or not an object. */
export function resolvePath(scope: ExprScope, path: ExprPath): unknown {
  try {
    let current: unknown = path.root === "payload" ? scope.payload : scope.preset;
    for (const step of path.steps) {
      current = ownValue(current, step);
      if (current === undefined) return undefined;
    }
    return current;
  } catch {
    // A Proxy's trap may throw; the path reads as missing.
    return undefined;
  }
}

/** An own data property's value; never a getter's result, never something inherited. */
export function ownValue(container: unknown, key: string | number): unknown {
  if (container === null || typeof container !== "object") return undefined;
  const descriptor = Object.getOwnPropertyDescriptor(container, key);
  if (descriptor === undefined || !("value" in descriptor)) return undefined;
  return descriptor.value;
}

/** Reads a `payload.…` path out of a payload; undefined for a missing value or a malformed path. */
export function readPayloadPath(payload: unknown, path: string): unknown {
  const parsed = parsePayloadPath(path);
  return parsed.ok ? resolvePath({ payload }, parsed.path) : undefined;
}

/** The path as written canonically (`payload.a[0]["b c"]`), for messages and the dashboard. */
export function formatPath(path: ExprPath): string {
  let out: string = path.root;
  for (const step of path.steps) {
    if (typeof step === "number") out += `[${step}]`;
    else if (step.length > 0 && [...step].every((c) => isNameChar(c.charCodeAt(0)))) out += `.${step}`;
    else out += `[${JSON.stringify(step)}]`;
  }
  return out;
}
