/** What the trigger deliveries started, seen from outside: sessions in the tenant, sandboxes asked for. */
import type { GithubTenant, RecordedStack } from "@nightshift/devstack";

/** Sessions in the tenant started by GitHub, all pages. */
export async function githubSessions(stack: RecordedStack, tenant: GithubTenant): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: "100", ...(cursor ? { cursor } : {}) });
    const res = await fetch(`${stack.url}/api/v1/tenants/${tenant.tenantId}/sessions?${query}`, {
      headers: tenant.headers,
    });
    if (!res.ok) throw new Error(`listing sessions answered ${res.status}: ${await res.text()}`);
    const page = (await res.json()) as { sessions: { trigger: string }[]; nextCursor: string | null };
    count += page.sessions.filter((s) => s.trigger === "github").length;
    cursor = page.nextCursor;
  } while (cursor);
  return count;
}

/**
 * Polls (every 0.5 s: each poll lists every session) until `expected` sessions exist or
 * `timeoutMs` passes; returns the count and the performance.now() at which it was reached.
 */
export async function waitForSessions(
  stack: RecordedStack,
  tenant: GithubTenant,
  expected: number,
  timeoutMs: number,
): Promise<{ count: number; reachedAt: number | null }> {
  const started = performance.now();
  let count = 0;
  while (performance.now() - started < timeoutMs) {
    count = await githubSessions(stack, tenant);
    if (count >= expected) return { count, reachedAt: performance.now() };
    await new Promise((r) => setTimeout(r, 500));
  }
  return { count, reachedAt: null };
}

export function sandboxRequests(stack: RecordedStack): number {
  return stack.host.requests.filter((r) => r.method === "POST" && r.path === "/v1/sandboxes").length;
}
