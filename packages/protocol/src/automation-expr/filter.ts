/**
 * The filter language (docs/automation-expressions.md): conditions on the delivery's JSON joined
 * with `&&`, `||`, `!` and parentheses. A recursive-descent parser over the characters, with no
 * regular expressions a filter could steer and nothing evaluated as code. Nesting and path depth
 * are capped, so neither parsing nor evaluating can exhaust the stack.
 *
 *   expr := or;  or := and ("||" and)*;  and := not ("&&" not)*
 *   not  := "!" not | "(" expr ")" | cond
 *   cond := path "exists" | path ("==" | "!=") literal | path "contains" literal
 *         | path "in" "[" literal ("," literal)* "]"
 */
import { type Literal, scanLiteral } from "./literal.ts";
import { type ExprPath, type ExprScope, resolvePath, scanPath } from "./path.ts";
import { type ExprError, failAt, type Parsed, Scanner } from "./scanner.ts";

export const MAX_FILTER_CHARS = 2_000;
export const MAX_FILTER_NESTING = 32;

export type FilterNode =
  | { kind: "or"; items: FilterNode[] }
  | { kind: "and"; items: FilterNode[] }
  | { kind: "not"; item: FilterNode }
  | { kind: "exists"; path: ExprPath }
  | { kind: "eq" | "ne" | "contains"; path: ExprPath; value: Literal }
  | { kind: "in"; path: ExprPath; values: Literal[] };

/** A parsed filter: plain data, safe to keep and to evaluate against any number of payloads. */
export type Filter = { readonly source: string; readonly root: FilterNode };

export function parseFilter(src: string): { ok: true; filter: Filter } | { ok: false; error: ExprError } {
  if (src.length > MAX_FILTER_CHARS)
    return failAt(`a filter may be at most ${MAX_FILTER_CHARS} characters long`, MAX_FILTER_CHARS);
  const s = new Scanner(src);
  s.skipWhitespace();
  if (s.atEnd) return failAt("the filter is empty; leave it out to run on every delivery", s.pos);
  const root = parseOr(s, 0);
  if (!root.ok) return root;
  s.pos = root.end;
  s.skipWhitespace();
  if (!s.atEnd) {
    const hint =
      s.peek() === ")"
        ? "a ')' without its '('"
        : `unexpected ${s.describeHere()}; join conditions with && or ||`;
    return failAt(hint, s.pos);
  }
  return { ok: true, filter: { source: src, root: root.value } };
}

function parseOr(s: Scanner, depth: number): Parsed<FilterNode> {
  return parseChain(s, depth, "||", "or", parseAnd);
}

function parseAnd(s: Scanner, depth: number): Parsed<FilterNode> {
  return parseChain(s, depth, "&&", "and", parseNot);
}

/** `item (op item)*`, kept flat (one node with n items), so a long chain does not deepen the tree. */
function parseChain(
  s: Scanner,
  depth: number,
  op: "||" | "&&",
  kind: "or" | "and",
  item: (s: Scanner, depth: number) => Parsed<FilterNode>,
): Parsed<FilterNode> {
  const items: FilterNode[] = [];
  for (;;) {
    const next = item(s, depth);
    if (!next.ok) return next;
    items.push(next.value);
    s.pos = next.end;
    s.skipWhitespace();
    if (!s.startsWith(op)) break;
    s.pos += op.length;
    s.skipWhitespace();
    if (s.atEnd) return failAt(`expected a condition after '${op}'`, s.pos);
  }
  const value = items.length === 1 ? items[0]! : { kind, items };
  return { ok: true, value, end: s.pos };
}

function parseNot(s: Scanner, depth: number): Parsed<FilterNode> {
  s.skipWhitespace();
  const start = s.pos;
  if (s.peek() === "!" || s.peek() === "(") {
    if (depth >= MAX_FILTER_NESTING)
      return failAt(`a filter may nest '!' and '(' at most ${MAX_FILTER_NESTING} deep`, start);
  }
  if (s.peek() === "!") {
    s.pos++;
    const inner = parseNot(s, depth + 1);
    if (!inner.ok) return inner;
    return { ok: true, value: { kind: "not", item: inner.value }, end: inner.end };
  }
  if (s.peek() === "(") {
    s.pos++;
    s.skipWhitespace();
    const inner = parseOr(s, depth + 1);
    if (!inner.ok) return inner;
    s.pos = inner.end;
    s.skipWhitespace();
    if (s.peek() !== ")")
      return failAt(`expected ')' to close the '(' opened at ${start}, found ${s.describeHere()}`, s.pos);
    return { ok: true, value: inner.value, end: s.pos + 1 };
  }
  if (s.atEnd) return failAt("expected a condition", start);
  return parseCondition(s);
}

function parseCondition(s: Scanner): Parsed<FilterNode> {
  const path = scanPath(s);
  if (!path.ok) return path;
  s.pos = path.end;
  s.skipWhitespace();
  const opAt = s.pos;
  if (s.takeKeyword("exists")) return { ok: true, value: { kind: "exists", path: path.value }, end: s.pos };
  for (const [op, kind] of [
    ["==", "eq"],
    ["!=", "ne"],
  ] as const) {
    if (s.startsWith(op)) {
      s.pos += op.length;
      return literalOperand(s, `'${op}'`, (value) => ({ kind, path: path.value, value }));
    }
  }
  if (s.takeKeyword("contains"))
    return literalOperand(s, "'contains'", (value) => ({ kind: "contains", path: path.value, value }));
  if (s.takeKeyword("in")) return parseList(s, path.value);
  return failAt(
    `expected an operator (exists, ==, !=, contains or in) after the path, found ${s.describeHere()}`,
    opAt,
  );
}

function literalOperand(s: Scanner, after: string, make: (value: Literal) => FilterNode): Parsed<FilterNode> {
  s.skipWhitespace();
  const literal = scanLiteral(s, after);
  if (!literal.ok) return literal;
  return { ok: true, value: make(literal.value), end: literal.end };
}

function parseList(s: Scanner, path: ExprPath): Parsed<FilterNode> {
  s.skipWhitespace();
  if (s.peek() !== "[")
    return failAt(`expected '[' to start the list after 'in', found ${s.describeHere()}`, s.pos);
  s.pos++;
  const values: Literal[] = [];
  for (;;) {
    s.skipWhitespace();
    const literal = scanLiteral(s, values.length === 0 ? "'['" : "','");
    if (!literal.ok) return literal;
    values.push(literal.value);
    s.pos = literal.end;
    s.skipWhitespace();
    if (s.peek() === "]") return { ok: true, value: { kind: "in", path, values }, end: s.pos + 1 };
    if (s.peek() !== ",") return failAt(`expected ',' or ']' in the list, found ${s.describeHere()}`, s.pos);
    s.pos++;
  }
}

/** Whether the payload (and a preset's variables) satisfies the filter. Never throws. */
export function matchesFilter(
  filter: Filter,
  payload: unknown,
  opts?: { preset?: Readonly<Record<string, string>> },
): boolean {
  const scope: ExprScope = { payload, preset: opts?.preset };
  try {
    return evaluate(filter.root, scope);
  } catch {
    // Only an exotic value (a revoked Proxy) can throw here: what cannot be read does not match.
    return false;
  }
}

/** Recursion here follows the filter's own tree, whose depth the parser capped; never the payload's. */
function evaluate(node: FilterNode, scope: ExprScope): boolean {
  switch (node.kind) {
    case "or":
      return node.items.some((item) => evaluate(item, scope));
    case "and":
      return node.items.every((item) => evaluate(item, scope));
    case "not":
      return !evaluate(node.item, scope);
    case "exists": {
      const value = resolvePath(scope, node.path);
      return value !== undefined && value !== null;
    }
    case "eq":
      return sameScalar(resolvePath(scope, node.path), node.value);
    case "ne":
      return !sameScalar(resolvePath(scope, node.path), node.value);
    case "contains":
      return contains(resolvePath(scope, node.path), node.value);
    case "in": {
      const value = resolvePath(scope, node.path);
      return node.values.some((candidate) => sameScalar(value, candidate));
    }
  }
}

/** Strict equality of scalars: "1" is not 1, an object equals nothing. */
function sameScalar(value: unknown, literal: Literal): boolean {
  return value === literal;
}

/** A substring of a string, or an element (compared as a scalar) of an array. */
function contains(value: unknown, literal: Literal): boolean {
  if (typeof value === "string") return typeof literal === "string" && value.includes(literal);
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) {
    const descriptor = Object.getOwnPropertyDescriptor(value, i);
    if (descriptor && "value" in descriptor && sameScalar(descriptor.value, literal)) return true;
  }
  return false;
}
