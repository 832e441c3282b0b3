import { describe, expect, it } from "vitest";
import { type Filter, matchesFilter, parseFilter } from "../index.ts";

function filter(src: string): Filter {
  const parsed = parseFilter(src);
  if (!parsed.ok) throw new Error(`expected ${src} to parse: ${parsed.error.message}`);
  return parsed.filter;
}

function errorOf(src: string) {
  const parsed = parseFilter(src);
  if (parsed.ok) throw new Error(`expected ${src} not to parse`);
  return parsed.error;
}

const alert = {
  action: "triggered",
  level: "error",
  count: 3,
  handled: false,
  release: null,
  tags: ["backend", "payments"],
  title: "TypeError: cannot read 'id' of undefined",
  project: { slug: "api", "team-name": "core" },
  frames: [{ file: "a.ts" }, { file: "b.ts" }],
};

describe("parseFilter + matchesFilter: conditions", () => {
  it.each([
    ['payload.action == "triggered"', true],
    ['payload.action == "resolved"', false],
    ['payload.action != "resolved"', true],
    ["payload.count == 3", true],
    ["payload.count == 3.0", true],
    ['payload.count == "3"', false],
    ["payload.handled == false", true],
    ["payload.release == null", true],
    ["payload.release exists", false],
    ["payload.title exists", true],
    ["payload.missing exists", false],
    ['payload.missing != "x"', true],
    ['payload.title contains "cannot read"', true],
    ['payload.title contains "CANNOT"', false],
    ['payload.tags contains "payments"', true],
    ['payload.tags contains "pay"', false],
    ["payload.count contains 3", false],
    ['payload.level in ["fatal", "error"]', true],
    ['payload.level in ["warning"]', false],
    ["payload.count in [1, 2, 3]", true],
    ['payload.frames[1].file == "b.ts"', true],
    ["payload.frames[2].file exists", false],
    ['payload.project["team-name"] == "core"', true],
    ['payload.project.team-name == "core"', true],
    ['payload.project == "api"', false],
  ])("%s → %s", (src, expected) => {
    expect(matchesFilter(filter(src), alert)).toBe(expected);
  });
});

describe("parseFilter + matchesFilter: combinators", () => {
  it.each([
    ['payload.level == "error" && payload.count == 3', true],
    ['payload.level == "error" && payload.count == 4', false],
    ['payload.level == "warning" || payload.count == 3', true],
    ['!(payload.level == "warning")', true],
    ["! payload.title exists", false],
    ["!!payload.title exists", true],
    // && binds tighter than ||: false && x || true
    ['payload.level == "x" && payload.count == 3 || payload.handled == false', true],
    ['payload.level == "x" && (payload.count == 3 || payload.handled == false)', false],
    ['(payload.level == "error") && ((payload.tags contains "backend"))', true],
  ])("%s → %s", (src, expected) => {
    expect(matchesFilter(filter(src), alert)).toBe(expected);
  });

  it("keeps a long chain flat, so 120 conditions do not deepen the tree", () => {
    const src = Array.from({ length: 120 }, (_, i) => `payload.n==${i}`).join("||");
    const parsed = filter(src);
    expect(parsed.root.kind === "or" && parsed.root.items.length).toBe(120);
    expect(matchesFilter(parsed, { n: 119 })).toBe(true);
    expect(matchesFilter(parsed, { n: 120 })).toBe(false);
  });

  it.each([
    ['payload.level=="error"&&payload.count!=4', true],
    ['payload.level in["error"]&&payload.title contains"cannot"', true],
    ["payload.in == 1 && payload.exists exists && payload.contains == true", true],
  ])("needs no spaces around operators, and keywords work as field names: %s", (src, expected) => {
    expect(matchesFilter(filter(src), { ...alert, in: 1, exists: 0, contains: true })).toBe(expected);
  });

  it("reads preset variables as preset.name", () => {
    const f = filter('preset.level == "fatal" && payload.action exists');
    expect(matchesFilter(f, { action: "triggered" }, { preset: { level: "fatal" } })).toBe(true);
    expect(matchesFilter(f, { action: "triggered" }, { preset: { level: "error" } })).toBe(false);
    expect(matchesFilter(f, { action: "triggered" })).toBe(false);
  });
});

describe("parseFilter: literals", () => {
  it("decodes JSON string escapes", () => {
    const f = filter(String.raw`payload.s == "a\"b\\c\n\u00e9\/"`);
    expect(matchesFilter(f, { s: 'a"b\\c\né/' })).toBe(true);
  });

  it.each([
    ["payload.n == -1.5e2", -150],
    ["payload.n == 0", 0],
    ["payload.n == 12.25", 12.25],
  ])("reads the number in %s", (src, n) => {
    expect(matchesFilter(filter(src), { n })).toBe(true);
  });
});

describe("parseFilter: errors name a position a person can find", () => {
  it.each([
    ["payload.action == ", 18, "expected a value"],
    ["payload.action ==", 17, "after '=='"],
    ['payload.action = "x"', 15, "expected an operator"],
    ['action == "x"', 0, "expected a path starting with 'payload.' or 'preset.'"],
    ['payload.action == "x" payload.b exists', 22, "join conditions with && or ||"],
    ['payload.action == "x" &&', 24, "expected a condition after '&&'"],
    ["(payload.a exists", 17, "expected ')' to close the '(' opened at 0, found the end"],
    ["payload.a exists)", 16, "a ')' without its '('"],
    ['payload.a == "open', 13, "never closed"],
    ['payload.a == "\\q"', 14, "unknown escape"],
    ["payload.a == 01", 14, "join conditions"],
    ["payload.a == 1.", 15, "expected a digit after the decimal point"],
    ["payload.a == 1e", 15, "expected a digit in the exponent"],
    ["payload.a == 1e999", 13, "too large"],
    ["payload.a in 1", 13, "expected '['"],
    ['payload.a in ["x" "y"]', 18, "expected ',' or ']'"],
    ["payload.a in []", 14, "expected a value"],
    ["payload. == 1", 8, "expected a field name after '.'"],
    ["payload.a[x] exists", 10, "expected an index"],
    ["payload.a[1 exists", 11, "expected ']'"],
    ["payload.a == True", 13, "expected a value"],
    ["payload.a existsx", 10, "expected an operator"],
    ["", 0, "the filter is empty"],
    ["   ", 3, "the filter is empty"],
    ["!", 1, "expected a condition"],
  ])("%j fails at %i", (src, position, words) => {
    const error = errorOf(src);
    expect(error.position).toBe(position);
    expect(error.message).toContain(words);
    expect(error.message).toContain(`at ${position}`);
  });

  it("says 'expected a value after '==' at 17' for the brief's example", () => {
    expect(errorOf("payload.level == ").message).toMatch(
      /^expected a value .* after '==', found the end at 17$/,
    );
  });

  it("refuses a raw control character inside a string", () => {
    expect(errorOf('payload.a == "x\ny"').position).toBe(15);
  });
});

describe("parseFilter: limits", () => {
  it("refuses a source over 2,000 characters", () => {
    const src = `payload.a == "${"x".repeat(2_000)}"`;
    expect(errorOf(src).message).toContain("at most 2000 characters");
  });

  it("accepts exactly 32 levels of nesting and refuses 33, at the 33rd", () => {
    const nested = (n: number) => `${"(".repeat(n)}payload.a exists${")".repeat(n)}`;
    expect(parseFilter(nested(32)).ok).toBe(true);
    expect(errorOf(nested(33)).position).toBe(32);
    expect(errorOf(`${"!".repeat(33)}payload.a exists`).message).toContain("at most 32 deep");
  });

  it("refuses a path deeper than 32 steps", () => {
    const path = (n: number) => `payload${".a".repeat(n)}`;
    expect(parseFilter(`${path(32)} exists`).ok).toBe(true);
    expect(errorOf(`${path(33)} exists`).message).toContain("at most 32 steps");
  });

  it("a 2,000-character filter of nested '(' parses to an error, not a stack overflow", () => {
    expect(errorOf("(".repeat(1_999)).message).toContain("at most 32 deep");
    expect(errorOf("!".repeat(1_999)).message).toContain("at most 32 deep");
  });
});
