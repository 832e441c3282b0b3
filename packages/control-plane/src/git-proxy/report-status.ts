/**
 * The receive-pack answer for a refused push, in the shape git prints: `unpack ok` and one
 * `ng <ref> <reason>` per ref (git shows "! [remote rejected] … (reason)"), inside side-band-64k
 * when the client asked for it, with the reasons also sent as `remote:` lines on band 2.
 */
import { concatBytes, FLUSH_PKT, pktLine } from "./pkt-line";

export interface RefRefusal {
  ref: string;
  reason: string;
}

const BAND_DATA = 1;
const BAND_PROGRESS = 2;
/** Per packet, minus the length and the band byte: 65520 with side-band-64k, 1000 with side-band. */
const BAND_CHUNK_64K = 65515;
const BAND_CHUNK_SMALL = 995;

export const RECEIVE_PACK_RESULT = "application/x-git-receive-pack-result";

const oneLine = (text: string): string => text.replace(/[\r\n\0]+/g, " ").slice(0, 500);

function banded(band: number, data: Uint8Array, chunk: number): Uint8Array[] {
  const packets: Uint8Array[] = [];
  for (let at = 0; at < data.length; at += chunk) {
    const slice = data.subarray(at, at + chunk);
    const payload = new Uint8Array(slice.length + 1);
    payload[0] = band;
    payload.set(slice, 1);
    packets.push(pktLine(payload));
  }
  return packets;
}

/** Whether the client can be told per ref (it always can, unless it is a very old git). */
export function wantsReportStatus(capabilities: readonly string[]): boolean {
  return capabilities.includes("report-status") || capabilities.includes("report-status-v2");
}

export function refusalBody(
  capabilities: readonly string[],
  refusals: readonly RefRefusal[],
  message: string,
): Uint8Array {
  const report = concatBytes([
    pktLine("unpack ok\n"),
    ...refusals.map((r) => pktLine(`ng ${r.ref} ${oneLine(r.reason)}\n`)),
    FLUSH_PKT,
  ]);
  const chunk = capabilities.includes("side-band-64k")
    ? BAND_CHUNK_64K
    : capabilities.includes("side-band")
      ? BAND_CHUNK_SMALL
      : 0;
  if (chunk === 0) return report;
  const progress = new TextEncoder().encode(`${oneLine(message)}\n`);
  return concatBytes([
    ...banded(BAND_PROGRESS, progress, chunk),
    ...banded(BAND_DATA, report, chunk),
    FLUSH_PKT,
  ]);
}

export function refusalResponse(
  capabilities: readonly string[],
  refusals: readonly RefRefusal[],
  message: string,
): Response {
  if (!wantsReportStatus(capabilities))
    return new Response(`${message}\n`, {
      status: 403,
      headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-cache" },
    });
  return new Response(refusalBody(capabilities, refusals, message), {
    status: 200,
    headers: { "content-type": RECEIVE_PACK_RESULT, "cache-control": "no-cache" },
  });
}
