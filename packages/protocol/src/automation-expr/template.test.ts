import { describe, expect, it } from "vitest";
import { parseTemplate, renderTemplate, type Template, templatePaths } from "../index.ts";

function template(src: string): Template {
  const parsed = parseTemplate(src);
  if (!parsed.ok) throw new Error(`expected ${src} to parse: ${parsed.error.message}`);
  return parsed.template;
}

function errorOf(src: string) {
  const parsed = parseTemplate(src);
  if (parsed.ok) throw new Error(`expected ${src} not to parse`);
  return parsed.error;
}

const payload = {
  issue: { title: "Crash on login", id: 42, urgent: true, labels: ["bug", "p1"] },
  repo: { "full-name": "acme/api" },
  empty: "",
};

describe("renderTemplate: substitutions", () => {
  it("fills in strings, numbers and booleans, with spaces allowed inside the braces", () => {
    const t = template(
      "Fix {{payload.issue.title}} (#{{ payload.issue.id }}, urgent={{\tpayload.issue.urgent\n}}).",
    );
    expect(renderTemplate(t, payload)).toBe("Fix Crash on login (#42, urgent=true).");
  });

  it("renders arrays and objects as compact JSON", () => {
    expect(renderTemplate(template("{{payload.issue.labels}} {{payload.repo}}"), payload)).toBe(
      '["bug","p1"] {"full-name":"acme/api"}',
    );
  });

  it("renders unknown paths, null and the empty string as nothing", () => {
    expect(
      renderTemplate(template("<{{payload.nope.deeper}}|{{payload.empty}}|{{payload.n}}>"), { n: null }),
    ).toBe("<||>");
  });

  it("reads quoted keys and array indexes", () => {
    expect(
      renderTemplate(template('{{payload.repo["full-name"]}} {{payload.issue.labels[1]}}'), payload),
    ).toBe("acme/api p1");
  });

  it("reads a preset's variables", () => {
    const t = template("{{preset.title}} in {{preset.project}}");
    expect(renderTemplate(t, {}, { preset: { title: "Boom", project: "web" } })).toBe("Boom in web");
    expect(renderTemplate(t, {})).toBe(" in ");
  });

  it("keeps text with no substitutions, and stray '}}' or single braces, as written", () => {
    expect(renderTemplate(template("a } b }} c { d"), {})).toBe("a } b }} c { d");
  });

  it("renders whitespace only when every value is missing (the caller trims and skips)", () => {
    expect(renderTemplate(template("  {{payload.a}}\n{{payload.b}} "), {}).trim()).toBe("");
  });

  it("lists the paths a template reads", () => {
    expect(templatePaths(template('{{payload.a[0]}} {{preset.x}} {{payload["b c"]}}'))).toEqual([
      "payload.a[0]",
      "preset.x",
      'payload["b c"]',
    ]);
  });
});

describe("renderTemplate: escaping", () => {
  it("strips control, bidi-override and zero-width characters but keeps newlines and tabs", () => {
    const value = "a\u0000b\u0007c\u001bd\u007fe\u0085f\u202eg\u200bh\u2066i\ufeffj\tk\nl\r\nm\rn";
    expect(renderTemplate(template("{{payload.v}}"), { v: value })).toBe("abcdefghij\tk\nl\nm\nn");
  });

  it("drops a lone surrogate but keeps a real pair", () => {
    expect(renderTemplate(template("{{payload.v}}"), { v: "x\ud800y\udc00z😀" })).toBe("xyz😀");
  });

  it("a payload cannot inject template syntax: '{{' and '}}' in values are broken up", () => {
    const attack = { v: "{{payload.secret}}", w: "{{{{}}}}" };
    const out = renderTemplate(template("{{payload.v}} {{payload.w}}"), attack);
    expect(out).toBe("{ {payload.secret} } { { { {} } } }");
    expect(out).not.toContain("{{");
    expect(out).not.toContain("}}");
  });

  it("a payload cannot build '{{' across the seam between two values or a value and text", () => {
    const out = renderTemplate(template("{{payload.a}}{{payload.b}}}{{payload.c}}"), {
      a: "{",
      b: "{payload.x}",
      c: "}",
    });
    expect(out).not.toContain("{{");
    expect(out).not.toContain("}}");
    const reparsed = parseTemplate(out);
    expect(reparsed.ok && reparsed.template.parts.every((p) => p.kind === "text")).toBe(true);
  });

  it("strips control characters inside JSON-rendered objects too", () => {
    expect(renderTemplate(template("{{payload}}"), { k: "a\u202eb" })).toBe('{"k":"ab"}');
  });
});

describe("renderTemplate: caps", () => {
  it("caps one value at 2,000 characters by default, mark included", () => {
    const out = renderTemplate(template("{{payload.v}}"), { v: "x".repeat(2_001) });
    expect(out).toHaveLength(2_000);
    expect(out.endsWith("…(truncated)")).toBe(true);
  });

  it("leaves a value of exactly the cap alone", () => {
    expect(renderTemplate(template("{{payload.v}}"), { v: "x".repeat(2_000) })).toBe("x".repeat(2_000));
  });

  it("honours a smaller value cap and a smaller prompt cap", () => {
    const t = template("head {{payload.v}} tail");
    expect(renderTemplate(t, { v: "abcdefghijklmnopqrstuvwxyz" }, { maxValueChars: 20 })).toBe(
      "head abcdefgh…(truncated) tail",
    );
    const out = renderTemplate(t, { v: "x".repeat(100) }, { maxChars: 50 });
    expect(out).toHaveLength(50);
    expect(out.endsWith("…(truncated)")).toBe(true);
  });

  it("caps the whole prompt at 20,000 characters however many values it has", () => {
    const t = template("{{payload.v}}".repeat(1_000));
    const out = renderTemplate(t, { v: "y".repeat(2_000) });
    expect(out).toHaveLength(20_000);
    expect(out.endsWith("…(truncated)")).toBe(true);
  });

  it("does not split a surrogate pair at the cut", () => {
    const out = renderTemplate(
      template("{{payload.v}}"),
      { v: `${"a".repeat(7)}${"😀".repeat(10)}` },
      { maxValueChars: 20 },
    );
    expect(out).toBe(`${"a".repeat(7)}…(truncated)`);
  });

  it("ignores nonsense caps and uses the defaults", () => {
    const v = "x".repeat(3_000);
    expect(
      renderTemplate(template("{{payload.v}}"), { v }, { maxValueChars: -1, maxChars: Number.NaN }),
    ).toHaveLength(2_000);
  });
});

describe("parseTemplate: errors", () => {
  it.each([
    ["Fix {{payload.title", 4, "never closed"],
    ["Fix {{", 4, "never closed"],
    ["Fix {{ payload.title }", 21, "expected '}}' to close the '{{' opened at 4, found '}'"],
    ["Fix {{ }}", 7, "expected a path"],
    ["Fix {{title}}", 6, "expected a path starting with 'payload.' or 'preset.'"],
    ["{{payload.a b}}", 12, "expected '}}'"],
    ["ok {{payload.a}} then {{payload..b}}", 32, "expected a field name"],
  ])("%j fails at %i", (src, position, words) => {
    const error = errorOf(src);
    expect(error.position).toBe(position);
    expect(error.message).toContain(words);
  });

  it("refuses a template over 20,000 characters", () => {
    expect(errorOf("x".repeat(20_001)).message).toContain("at most 20000 characters");
    expect(parseTemplate("x".repeat(20_000)).ok).toBe(true);
  });
});
