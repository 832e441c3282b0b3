/**
 * DNS resolution with the address check on the result: the proxy connects to the very address
 * it checked (never resolving the name a second time), so a name that rebinds between the check
 * and the connect cannot move the connection onto a forbidden address.
 */
import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import { describeAddress, isForbiddenAddress, isNeverReachable } from "./forbidden-addresses";

export type Lookup = (host: string) => Promise<string[]>;

export const systemLookup: Lookup = async (host) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

export type Resolution = { ok: true; address: string } | { ok: false; reason: string };

/**
 * The first acceptable address of `host`. Pattern-allowed hosts must be public; the endpoints the
 * host is configured with (`trusted`) may be on loopback or a private network, never link-local.
 */
export async function resolveTarget(lookup: Lookup, host: string, trusted: boolean): Promise<Resolution> {
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await lookup(host);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "lookup failed";
    return { ok: false, reason: `cannot resolve ${host} (${code})` };
  }
  const refused = trusted ? isNeverReachable : isForbiddenAddress;
  const address = addresses.find((candidate) => !refused(candidate));
  if (address !== undefined) return { ok: true, address };
  if (addresses.length === 0) return { ok: false, reason: `cannot resolve ${host}` };
  const first = addresses[0] ?? "";
  return { ok: false, reason: `${host} resolves to ${first}, ${describeAddress(first)}` };
}
