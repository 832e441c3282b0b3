import { describe, expect, it } from "vitest";
import { paginate } from "./pagination";

const items = Array.from({ length: 5 }, (_, i) => i + 1);
const at = (query: string) => new URL(`http://127.0.0.1:1/api/v3/things${query}`);

describe("paginate", () => {
  it("defaults to 30 a page and sends no Link when everything fits", () => {
    expect(paginate(items, at(""))).toEqual({ items, link: null });
  });

  it("links next/last on the first page and prev/first on the last, keeping other parameters", () => {
    const first = paginate(items, at("?state=open&per_page=2"));
    expect(first.items).toEqual([1, 2]);
    expect(first.link).toBe(
      '<http://127.0.0.1:1/api/v3/things?state=open&per_page=2&page=2>; rel="next", ' +
        '<http://127.0.0.1:1/api/v3/things?state=open&per_page=2&page=3>; rel="last"',
    );
    const last = paginate(items, at("?state=open&per_page=2&page=3"));
    expect(last.items).toEqual([5]);
    expect(last.link).toBe(
      '<http://127.0.0.1:1/api/v3/things?state=open&per_page=2&page=2>; rel="prev", ' +
        '<http://127.0.0.1:1/api/v3/things?state=open&per_page=2&page=1>; rel="first"',
    );
  });

  it("answers an empty page past the end, caps per_page at 100 and ignores nonsense", () => {
    expect(paginate(items, at("?per_page=2&page=9")).items).toEqual([]);
    const many = Array.from({ length: 250 }, (_, i) => i);
    expect(paginate(many, at("?per_page=1000")).items).toHaveLength(100);
    expect(paginate(items, at("?per_page=zero&page=-1")).items).toEqual(items);
  });
});
