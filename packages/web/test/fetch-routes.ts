/**
 * Component tests answer the dashboard's own HTTP calls from a route table: the Worker is not
 * running in happy-dom. Bodies are built with the protocol's schemas so they stay honest, and
 * every request is recorded for assertions. Browser tests use the real Worker instead.
 */
import { vi } from "vitest";

export interface Recorded {
  method: string;
  path: string;
  body: unknown;
  headers: Record<string, string>;
}

type Handler = (req: Recorded) => Response | Promise<Response>;

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

export function apiError(status: number, code: string, message: string): Response {
  return json({ error: { code, message } }, status);
}

export function routeFetch(routes: Record<string, Handler>) {
  const calls: Recorded[] = [];
  const fetchStub = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), "http://127.0.0.1");
    const method = init?.method ?? "GET";
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    const body = typeof init?.body === "string" ? JSON.parse(init.body) : undefined;
    const req: Recorded = { method, path: `${url.pathname}${url.search}`, body, headers };
    calls.push(req);
    const handler = routes[`${method} ${url.pathname}`];
    if (!handler) return apiError(404, "not_found", `no route for ${method} ${url.pathname}`);
    return handler(req);
  });
  vi.stubGlobal("fetch", fetchStub);
  return calls;
}
