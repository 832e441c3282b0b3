/** Payloads written to hurt: prototype keys, getters, proxies, huge and deep values, cycles. */
import { describe, expect, it } from "vitest";
import {
  type Filter,
  matchesFilter,
  parseFilter,
  parseTemplate,
  readPayloadPath,
  renderTemplate,
} from "../index.ts";

function filter(src: string): Filter {
  const parsed = parseFilter(src);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.filter;
}

function render(src: string, payload: unknown, opts?: Parameters<typeof renderTemplate>[2]): string {
  const parsed = parseTemplate(src);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return renderTemplate(parsed.template, payload, opts);
}

describe("prototype keys never reach Object.prototype", () => {
  it.each([
    "payload.__proto__",
    "payload.constructor",
    "payload.constructor.prototype",
    "payload.toString",
    "payload.hasOwnProperty",
    "payload.a.__proto__.polluted",
    "payload.list.constructor",
    "payload.list.map",
  ])("%s reads as missing on an ordinary payload", (path) => {
    const payload = { a: {}, list: [1, 2] };
    expect(readPayloadPath(payload, path)).toBeUndefined();
    expect(matchesFilter(filter(`${path} exists`), payload)).toBe(false);
    expect(render(`[{{${path}}}]`, payload)).toBe("[]");
  });

  it("an own __proto__ key from JSON.parse is plain data and reads as such", () => {
    const payload = JSON.parse('{"__proto__": {"admin": true}, "constructor": "c"}');
    expect(readPayloadPath(payload, "payload.__proto__.admin")).toBe(true);
    expect(readPayloadPath(payload, "payload.constructor")).toBe("c");
    // …and reading it polluted nothing.
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it("a getter is never run", () => {
    let ran = false;
    const payload = {
      get secret() {
        ran = true;
        return "leaked";
      },
    };
    expect(readPayloadPath(payload, "payload.secret")).toBeUndefined();
    expect(matchesFilter(filter('payload.secret == "leaked"'), payload)).toBe(false);
    expect(render("{{payload}}", payload)).toBe("{}");
    expect(ran).toBe(false);
  });

  it("a Proxy whose traps throw reads as missing instead of throwing", () => {
    const hostile = new Proxy(
      {},
      {
        getOwnPropertyDescriptor() {
          throw new Error("boom");
        },
        ownKeys() {
          throw new Error("boom");
        },
      },
    );
    const { proxy, revoke } = Proxy.revocable([1], {});
    revoke();
    expect(readPayloadPath({ h: hostile }, "payload.h.x")).toBeUndefined();
    expect(matchesFilter(filter("payload.h.x exists"), { h: hostile })).toBe(false);
    expect(matchesFilter(filter("payload.r contains 1"), { r: proxy })).toBe(false);
    expect(render("<{{payload.h}}><{{payload.r}}>", { h: hostile, r: proxy })).toBe("<><>");
  });
});

describe("deep payloads cost nothing beyond the path", () => {
  function deep(levels: number): unknown {
    let value: unknown = "bottom";
    for (let i = 0; i < levels; i++) value = { a: value, list: [value] };
    return value;
  }

  it("a payload nested 200,000 deep renders, capped, without recursion", () => {
    let value: unknown = 1;
    for (let i = 0; i < 200_000; i++) value = [value];
    const out = render("{{payload}}", value, { maxValueChars: 100 });
    expect(out.length).toBeLessThanOrEqual(100);
    expect(out.startsWith("[[[[")).toBe(true);
    expect(out.endsWith("…(truncated)")).toBe(true);
  });

  it("a filter reads 32 levels into a deep payload", () => {
    const payload = deep(40);
    expect(matchesFilter(filter(`payload${".a".repeat(32)} exists`), payload)).toBe(true);
    expect(readPayloadPath(deep(32), `payload${".a".repeat(32)}`)).toBe("bottom");
  });

  it("a cycle (not JSON, but possible in-process) renders as [circular]", () => {
    const a: Record<string, unknown> = { name: "a" };
    a.self = a;
    expect(render("{{payload}}", a)).toBe('{"name":"a","self":"[circular]"}');
    // The same object twice, not a cycle, is written twice ("}}" broken up: still valid JSON).
    const shared = { x: 1 };
    expect(render("{{payload}}", { p: shared, q: shared })).toBe('{"p":{"x":1},"q":{"x":1} }');
  });
});

describe("huge payloads are capped, not copied", () => {
  it("a 5 MB string renders as its first 2,000 characters with the mark", () => {
    const out = render("{{payload.s}}", { s: "y".repeat(5_000_000) });
    expect(out.length).toBe(2_000);
    expect(out.endsWith("…(truncated)")).toBe(true);
  });

  it("an array of a million items renders capped and fast", () => {
    const items = Array.from({ length: 1_000_000 }, (_, i) => ({ i }));
    const started = performance.now();
    const out = render("{{payload.items}}", { items });
    expect(performance.now() - started).toBeLessThan(500);
    expect(out.length).toBe(2_000);
    expect(out.startsWith('[{"i":0},{"i":1}')).toBe(true);
  });

  it("a brace-heavy value is escaped in linear time (200 renders of 2,000 '{' well under a second)", () => {
    const started = performance.now();
    for (let i = 0; i < 200; i++) {
      const out = render("{{payload.b}}", { b: "{".repeat(4_000) });
      expect(out.startsWith("{ { {")).toBe(true);
    }
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("contains over a million-element array finds the last element", () => {
    const tags = Array.from({ length: 1_000_000 }, (_, i) => `t${i}`);
    expect(matchesFilter(filter('payload.tags contains "t999999"'), { tags })).toBe(true);
  });
});

describe("non-JSON values", () => {
  it.each([
    [() => 1, ""],
    [Symbol("s"), ""],
    [Number.NaN, ""],
    [Number.POSITIVE_INFINITY, ""],
    [10n, "10"],
    [undefined, ""],
    [new Date(0), "{}"],
    [new Map([["a", 1]]), "{}"],
  ])("%s renders as %j", (value, expected) => {
    expect(render("{{payload.v}}", { v: value })).toBe(expected);
  });

  it("inside objects, functions and undefined are left out as JSON leaves them out", () => {
    expect(
      render("{{payload}}", { f: () => 1, u: undefined, n: Number.NaN, list: [undefined, () => 1] }),
    ).toBe('{"n":null,"list":[null,null]}');
  });

  it("a filter compares only scalars: an object equals nothing", () => {
    expect(matchesFilter(filter('payload.v == "[object Object]"'), { v: {} })).toBe(false);
    expect(matchesFilter(filter("payload.v == null"), { v: undefined })).toBe(false);
  });
});
