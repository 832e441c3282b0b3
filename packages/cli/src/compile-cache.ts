/**
 * Node's compile cache (enabled by bin/nightshift.mjs) is written when the process exits. `tail`
 * usually never exits by itself: it is stopped with Ctrl-C, `timeout` or a kill, and a killed
 * process writes nothing, so every later start would parse the bundle from scratch again. Once the
 * first output is out, the cache is written then and there.
 */
import * as nodeModule from "node:module";

let persisted = false;

/** Writes the compile cache once, after what is already queued (the first output) has run. */
export function persistCompileCacheSoon(): void {
  if (persisted) return;
  persisted = true;
  // Absent before Node 22.10; the cache is then simply written at exit, as before.
  const flush = (nodeModule as { flushCompileCache?: () => void }).flushCompileCache;
  if (flush) setImmediate(flush);
}
