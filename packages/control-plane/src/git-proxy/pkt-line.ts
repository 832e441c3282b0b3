/**
 * Git's pkt-line framing: four hex digits of length (counting themselves), then the payload.
 * "0000" is a flush, "0001" a delimiter, "0002" a response end (protocol v2). Parsing never
 * throws: malformed input is reported as a value so a hostile push is refused, not crashed on.
 */

export type PktLine =
  | { kind: "data"; payload: Uint8Array }
  | { kind: "flush" }
  | { kind: "delim" }
  | { kind: "response-end" };

export type PktRead =
  | { ok: true; line: PktLine; next: number }
  | { ok: false; reason: "incomplete" }
  | { ok: false; reason: "malformed"; message: string };

/** The largest pkt-line git itself writes (LARGE_PACKET_MAX). */
export const PKT_MAX = 65520;

const encoder = new TextEncoder();

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x61 + 10;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x41 + 10;
  return -1;
}

/** Reads one pkt-line starting at `offset`. */
export function readPktLine(buf: Uint8Array, offset: number): PktRead {
  if (buf.length - offset < 4) return { ok: false, reason: "incomplete" };
  let length = 0;
  for (let i = 0; i < 4; i++) {
    const digit = hexValue(buf[offset + i] ?? 0);
    if (digit < 0) return { ok: false, reason: "malformed", message: "a pkt-line length is not hex" };
    length = length * 16 + digit;
  }
  if (length === 0) return { ok: true, line: { kind: "flush" }, next: offset + 4 };
  if (length === 1) return { ok: true, line: { kind: "delim" }, next: offset + 4 };
  if (length === 2) return { ok: true, line: { kind: "response-end" }, next: offset + 4 };
  if (length < 4 || length > PKT_MAX)
    return { ok: false, reason: "malformed", message: `a pkt-line has an impossible length ${length}` };
  if (buf.length - offset < length) return { ok: false, reason: "incomplete" };
  return {
    ok: true,
    line: { kind: "data", payload: buf.subarray(offset + 4, offset + length) },
    next: offset + length,
  };
}

/** One data pkt-line holding `data` (a string is UTF-8 encoded). */
export function pktLine(data: string | Uint8Array): Uint8Array {
  const payload = typeof data === "string" ? encoder.encode(data) : data;
  if (payload.length + 4 > PKT_MAX) throw new RangeError("pkt-line payload too long");
  const out = new Uint8Array(payload.length + 4);
  out.set(encoder.encode((payload.length + 4).toString(16).padStart(4, "0")), 0);
  out.set(payload, 4);
  return out;
}

export const FLUSH_PKT: Uint8Array = encoder.encode("0000");

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const part of parts) total += part.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
