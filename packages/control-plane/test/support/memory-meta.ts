/** A session's `meta` rows in a Map, so a DO part can be unit-tested without a Durable Object. */
import { type MetaRows, MetaStore } from "../../src/session/meta-store";

export interface MemoryMeta {
  meta: MetaStore;
  /** The raw stored text by key, as the DO's table would hold it. */
  rows: Map<string, string>;
}

export function memoryMeta(initial: Record<string, string> = {}): MemoryMeta {
  const rows = new Map(Object.entries(initial));
  const access: MetaRows = {
    read: (key) => rows.get(key) ?? null,
    write: (key, text) => void rows.set(key, text),
    remove: (key) => void rows.delete(key),
  };
  return { meta: new MetaStore(access), rows };
}
