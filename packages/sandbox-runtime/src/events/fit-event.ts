/**
 * Keeps one event small enough to travel: the bridge's frames are limited to 1 MB, so an event
 * whose JSON is larger than the limit has its longest strings cut (with a note saying how much
 * was cut) until it fits. Small events pass through untouched.
 */

/** Largest JSON size of one buffered event; a frame always fits at least one. */
export const MAX_EVENT_BYTES = 256 * 1024;

interface Slot {
  holder: Record<string, unknown> | unknown[];
  key: string | number;
  length: number;
}

function longestString(root: unknown): Slot | null {
  let best: Slot | null = null;
  const visit = (holder: Record<string, unknown> | unknown[], key: string | number, value: unknown): void => {
    if (typeof value === "string") {
      if (!best || value.length > best.length) best = { holder, key, length: value.length };
    } else if (Array.isArray(value)) {
      for (const [index, inner] of value.entries()) visit(value, index, inner);
    } else if (value !== null && typeof value === "object") {
      const record = value as Record<string, unknown>;
      for (const [innerKey, inner] of Object.entries(record)) visit(record, innerKey, inner);
    }
  };
  if (root !== null && typeof root === "object") {
    const record = root as Record<string, unknown>;
    for (const [key, value] of Object.entries(record)) visit(record, key, value);
  }
  return best;
}

export function fitEvent<T>(event: T, maxBytes: number = MAX_EVENT_BYTES): T {
  let size = Buffer.byteLength(JSON.stringify(event));
  if (size <= maxBytes) return event;
  const copy = structuredClone(event);
  // Each pass cuts the longest string by the overflow (plus room for the note); a few passes
  // settle even when several strings are large.
  for (let pass = 0; pass < 20 && size > maxBytes; pass++) {
    const slot = longestString(copy);
    if (!slot || slot.length < 64) break;
    const text = (slot.holder as Record<string | number, string>)[slot.key] as string;
    // Bytes may exceed characters (UTF-8), so cut at least half of what is over, measured in characters.
    const over = size - maxBytes;
    const keep = Math.max(0, Math.min(text.length - 64, text.length - over - 64));
    const cut = text.length - keep;
    (slot.holder as Record<string | number, string>)[slot.key] =
      `${text.slice(0, keep)}\n… [${cut} characters cut by nightshift: event too large]`;
    size = Buffer.byteLength(JSON.stringify(copy));
  }
  return copy;
}
