/**
 * GitHub's page-number pagination: `per_page` (default 30, at most 100) and `page` (from 1) pick a
 * slice, and a `Link` header names the `prev`/`next`/`first`/`last` pages with the caller's other
 * query parameters kept, so clients that follow `rel="next"` walk the whole list.
 */
const DEFAULT_PER_PAGE = 30;
const MAX_PER_PAGE = 100;

function positiveInt(value: string | null, fallback: number): number {
  const n = Number(value);
  return value !== null && Number.isInteger(n) && n >= 1 ? n : fallback;
}

export interface Page<T> {
  items: T[];
  /** The `Link` header value, or null when everything fits on one page. */
  link: string | null;
}

/** `self` is the absolute URL of the request (the API base plus path and query). */
export function paginate<T>(items: T[], self: URL): Page<T> {
  const perPage = Math.min(positiveInt(self.searchParams.get("per_page"), DEFAULT_PER_PAGE), MAX_PER_PAGE);
  const page = positiveInt(self.searchParams.get("page"), 1);
  const lastPage = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  if (lastPage === 1 && page === 1) return { items: slice, link: null };
  const at = (n: number) => {
    const u = new URL(self);
    u.searchParams.set("per_page", String(perPage));
    u.searchParams.set("page", String(n));
    return `<${u.toString()}>`;
  };
  const rels: string[] = [];
  if (page > 1) rels.push(`${at(Math.min(page - 1, lastPage))}; rel="prev"`);
  if (page < lastPage) rels.push(`${at(page + 1)}; rel="next"`, `${at(lastPage)}; rel="last"`);
  if (page > 1) rels.push(`${at(1)}; rel="first"`);
  return { items: slice, link: rels.join(", ") };
}
