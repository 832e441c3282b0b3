/**
 * A provider API call with a time limit. The timer is a manual one, cleared as soon as the answer
 * arrives: AbortSignal.timeout's would keep the Durable Object busy (and unevictable) for the full
 * period even after a fast reply. A failure is returned, not thrown, so each provider words it.
 */
export type TimedFetchResult = { ok: true; response: Response } | { ok: false; timedOut: boolean };

export async function fetchWithin(
  fetchImpl: typeof fetch,
  url: string | URL,
  init: RequestInit,
  timeoutMs: number,
): Promise<TimedFetchResult> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new DOMException("timed out", "TimeoutError")), timeoutMs);
  try {
    return { ok: true, response: await fetchImpl(url, { ...init, signal: abort.signal }) };
  } catch (err) {
    return { ok: false, timedOut: err instanceof Error && err.name === "TimeoutError" };
  } finally {
    clearTimeout(timer);
  }
}
