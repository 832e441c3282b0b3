/**
 * Event pages bounded by bytes as well as by count: a page of many large events (tool output,
 * file contents) must never become a frame or response of tens of megabytes. A page always
 * holds at least one event, so a cursor always advances; the caller continues from it.
 */
import { StoredEvent } from "@nightshift/protocol";
import type { EventsPageResult } from "./rpc-types";
import { type EventRow, type SessionStore, utf8Bytes } from "./store";

/** The most event JSON one page, replay frame or live frame carries (one event may exceed it alone). */
export const PAGE_MAX_BYTES = 1_000_000;

export function rowBytes(row: EventRow): number {
  return utf8Bytes(row.data);
}

/** The events after `after`: at most `limit` of them and about PAGE_MAX_BYTES of JSON. */
export function readEventsPage(
  store: Pick<SessionStore, "readAfter" | "headSeq">,
  after: number,
  limit: number,
  maxBytes = PAGE_MAX_BYTES,
): EventsPageResult {
  const page = store.readAfter(after, limit, maxBytes);
  const nextAfter = page.at(-1)?.seq ?? after;
  return {
    events: page.map((r) => StoredEvent.parse({ seq: r.seq, at: r.at, event: JSON.parse(r.data) })),
    nextAfter,
    hasMore: nextAfter < store.headSeq,
  };
}

/** Splits rows into consecutive runs of at most `maxBytes` of event JSON (each run non-empty). */
export function chunkByBytes(rows: readonly EventRow[], maxBytes = PAGE_MAX_BYTES): EventRow[][] {
  const chunks: EventRow[][] = [];
  let current: EventRow[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = rowBytes(row);
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
