/** Git wire helpers for git-proxy tests: building receive-pack requests and reading the answers. */
import { concatBytes, FLUSH_PKT, pktLine, readPktLine } from "../src/git-proxy/pkt-line";

export const ZERO_OID = "0".repeat(40);

export const fromBase64 = (b64: string): Uint8Array => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

export interface Command {
  old: string;
  new: string;
  ref: string;
}

/** What `git push` sends: commands (capabilities on the first), flush, then the pack. */
export function receivePackBody(
  commands: Command[],
  pack: Uint8Array | null,
  capabilities = "report-status side-band-64k agent=git/2.43.0",
): Uint8Array {
  const lines = commands.map((c, i) =>
    i === 0 ? pktLine(`${c.old} ${c.new} ${c.ref}\0${capabilities}`) : pktLine(`${c.old} ${c.new} ${c.ref}`),
  );
  return concatBytes([...lines, FLUSH_PKT, ...(pack ? [pack] : [])]);
}

/** The pkt-line payloads of `body` as text; band 1 is unwrapped, band 2 lines are returned as `remote`. */
export function readReport(body: Uint8Array): { lines: string[]; remote: string[] } {
  const decoder = new TextDecoder();
  const lines: string[] = [];
  const remote: string[] = [];
  let band1: Uint8Array = new Uint8Array(0);
  let offset = 0;
  let banded = false;
  for (;;) {
    const read = readPktLine(body, offset);
    if (!read.ok) break;
    offset = read.next;
    if (read.line.kind !== "data") continue;
    const payload = read.line.payload;
    if (payload[0] === 1 || payload[0] === 2 || payload[0] === 3) {
      banded = true;
      if (payload[0] === 1) band1 = concatBytes([band1, payload.subarray(1)]);
      else remote.push(decoder.decode(payload.subarray(1)).trimEnd());
    } else lines.push(decoder.decode(payload).trimEnd());
  }
  if (banded) return { lines: readReport(band1).lines, remote };
  return { lines, remote };
}

/** Refs advertised by info/refs (`<oid> <ref>` lines after the service header). */
export function advertisedRefs(body: Uint8Array): Map<string, string> {
  const refs = new Map<string, string>();
  const decoder = new TextDecoder();
  let offset = 0;
  for (;;) {
    const read = readPktLine(body, offset);
    if (!read.ok) break;
    offset = read.next;
    if (read.line.kind !== "data") continue;
    const text = decoder.decode(read.line.payload).split("\0")[0]?.trimEnd() ?? "";
    const match = /^([0-9a-f]{40}) (\S+)$/.exec(text);
    if (match?.[1] && match[2]) refs.set(match[2], match[1]);
  }
  return refs;
}
