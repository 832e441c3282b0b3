/**
 * The head of a receive-pack request (what `git push` sends before the pack): optional
 * `shallow <oid>` lines, the ref update commands `<old> <new> <ref>` (capabilities after a NUL on
 * the first), a flush, then push options and another flush when the client asked for them.
 * Only this head is ever buffered; the pack behind it is streamed.
 */
import { readPktLine } from "./pkt-line";

export interface RefUpdate {
  oldOid: string;
  newOid: string;
  ref: string;
}

export interface ReceivePackHead {
  commands: RefUpdate[];
  capabilities: string[];
  pushOptions: string[];
  /** How many bytes of the request the head took; the pack (if any) starts here. */
  length: number;
}

export type HeadParse =
  | { status: "ok"; head: ReceivePackHead }
  | { status: "incomplete" }
  | { status: "malformed"; message: string };

/** A push updating more refs than this is not something a session does. */
export const MAX_COMMANDS = 100;
/** Bytes the head may take before the request is refused (commands, options, shallow lines). */
export const MAX_HEAD_BYTES = 256 * 1024;

const OID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const decoder = new TextDecoder();

export const isZeroOid = (oid: string): boolean => /^0+$/.test(oid);

function textOf(payload: Uint8Array): string {
  const text = decoder.decode(payload);
  return text.endsWith("\n") ? text.slice(0, -1) : text;
}

function parseCommand(line: string): RefUpdate | null {
  const [oldOid = "", newOid = "", ref = "", ...extra] = line.split(" ");
  if (extra.length > 0 || !OID.test(oldOid) || !OID.test(newOid) || oldOid.length !== newOid.length)
    return null;
  if (ref.length === 0 || ref.length > 1024 || !ref.startsWith("refs/")) return null;
  return { oldOid, newOid, ref };
}

const malformed = (message: string): HeadParse => ({ status: "malformed", message });

/** Parses the head from the bytes received so far; "incomplete" asks for more. */
export function parseReceivePackHead(buf: Uint8Array): HeadParse {
  const commands: RefUpdate[] = [];
  let capabilities: string[] = [];
  let offset = 0;
  for (;;) {
    const read = readPktLine(buf, offset);
    if (!read.ok) return read.reason === "incomplete" ? { status: "incomplete" } : malformed(read.message);
    offset = read.next;
    if (read.line.kind === "flush") break;
    if (read.line.kind !== "data") return malformed("the push has an unexpected delimiter packet");
    const payload = read.line.payload;
    const nul = payload.indexOf(0);
    const line = textOf(nul >= 0 ? payload.subarray(0, nul) : payload);
    if (commands.length === 0 && line.startsWith("shallow ")) continue;
    if (line.startsWith("push-cert"))
      return malformed("signed pushes (push certificates) are not supported through the proxy");
    const command = parseCommand(line);
    if (!command) return malformed("the push has a ref update line that is not '<old> <new> <ref>'");
    if (commands.length === 0 && nul >= 0)
      capabilities = textOf(payload.subarray(nul + 1))
        .split(" ")
        .filter((c) => c.length > 0);
    commands.push(command);
    if (commands.length > MAX_COMMANDS) return malformed(`a push may update at most ${MAX_COMMANDS} refs`);
  }
  const pushOptions: string[] = [];
  // A flush with no commands (git's probe before a large push, or nothing to do) carries no options.
  if (commands.length > 0 && capabilities.includes("push-options")) {
    for (;;) {
      const read = readPktLine(buf, offset);
      if (!read.ok) return read.reason === "incomplete" ? { status: "incomplete" } : malformed(read.message);
      offset = read.next;
      if (read.line.kind === "flush") break;
      if (read.line.kind !== "data") return malformed("the push options have an unexpected packet");
      pushOptions.push(textOf(read.line.payload));
    }
  }
  return { status: "ok", head: { commands, capabilities, pushOptions, length: offset } };
}
