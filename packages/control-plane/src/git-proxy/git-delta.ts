/**
 * Applies a git delta (the body of an OFS_DELTA or REF_DELTA pack object) to its base. Used only
 * for commits, which are small; every read is bounds-checked, so a hostile delta yields null.
 */

function readSize(delta: Uint8Array, at: number): { value: number; next: number } | null {
  let value = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    const byte = delta[i++];
    if (byte === undefined || shift > 49) return null;
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if ((byte & 0x80) === 0) return { value, next: i };
  }
}

export function applyDelta(base: Uint8Array, delta: Uint8Array): Uint8Array | null {
  const source = readSize(delta, 0);
  if (!source || source.value !== base.length) return null;
  const target = readSize(delta, source.next);
  if (!target || target.value > 64 * 1024 * 1024) return null;
  const out = new Uint8Array(target.value);
  let written = 0;
  let i = target.next;
  while (i < delta.length) {
    const op = delta[i++] ?? 0;
    if (op & 0x80) {
      let offset = 0;
      let size = 0;
      for (let bit = 0; bit < 4; bit++) if (op & (1 << bit)) offset += (delta[i++] ?? 0) * 2 ** (8 * bit);
      for (let bit = 0; bit < 3; bit++) if (op & (0x10 << bit)) size += (delta[i++] ?? 0) * 2 ** (8 * bit);
      if (size === 0) size = 0x10000;
      if (i > delta.length || offset + size > base.length || written + size > out.length) return null;
      out.set(base.subarray(offset, offset + size), written);
      written += size;
    } else if (op > 0) {
      if (i + op > delta.length || written + op > out.length) return null;
      out.set(delta.subarray(i, i + op), written);
      written += op;
      i += op;
    } else {
      return null;
    }
  }
  return written === out.length ? out : null;
}
