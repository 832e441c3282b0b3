/** The drizzle handle over D1. Only `db/` builds queries; everything else calls repositories. */
import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

function connect(d1: D1Database) {
  return drizzle(d1, { schema });
}

export type Database = ReturnType<typeof connect>;

/**
 * One handle per D1 binding for the isolate's life: `drizzle(d1, { schema })` rebuilds the
 * relational map of every table on each call (0.1–0.15 ms, about a fifth of an automation
 * delivery's JavaScript besides its D1 write; docs/performance.md), and a handle keeps no
 * per-request state.
 */
const handles = new WeakMap<D1Database, Database>();

export function openDatabase(d1: D1Database): Database {
  let db = handles.get(d1);
  if (!db) {
    db = connect(d1);
    handles.set(d1, db);
  }
  return db;
}
