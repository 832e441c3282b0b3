/**
 * Reads a pushed pack as it streams past and collects its commits (oid → parents), so the proxy
 * can tell a fast-forward from a force-push without asking the forge. Object headers are parsed,
 * every zlib stream is inflated to find where it ends (output dropped), and only commits — and
 * deltas whose base is a commit — are kept and hashed. Anything it cannot follow is "unknown",
 * never guessed; malformed input sets `error` and stops the walk, it never throws.
 */
import { applyDelta } from "./git-delta";
import { concatBytes } from "./pkt-line";
import { ZlibObject } from "./zlib-object";

type ObjectType = "commit" | "tree" | "blob" | "tag" | "unknown";
const TYPES: Record<number, ObjectType> = { 1: "commit", 2: "tree", 3: "blob", 4: "tag" };
const OFS_DELTA = 6;
const REF_DELTA = 7;

/** A commit bigger than this is not kept (it stays unknown, so it can never prove anything). */
const MAX_KEPT_OBJECT = 1024 * 1024;
const MAX_KEPT_TOTAL = 32 * 1024 * 1024;
const MAX_OBJECTS = 5_000_000;
/** Inflating more than this in one push is refused as uncheckable (bounds the walk's CPU). */
const MAX_INFLATED_TOTAL = 2 * 1024 * 1024 * 1024;

interface ObjectHeader {
  packType: number;
  size: number;
  baseOffset?: number;
  baseOid?: string;
  length: number;
}

interface Current {
  offset: number;
  header: ObjectHeader;
  /** The base's body when this is a delta against a kept commit. */
  base: Uint8Array | null;
  pieces: Uint8Array[] | null;
  zlib: ZlibObject;
}

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/** Parses one object header at the start of `buf`: null when more bytes are needed. */
export function parseObjectHeader(buf: Uint8Array, offset: number): ObjectHeader | null | string {
  let i = 0;
  let byte = buf[i++];
  if (byte === undefined) return null;
  const packType = (byte >> 4) & 7;
  let size = byte & 0x0f;
  let shift = 4;
  while (byte & 0x80) {
    byte = buf[i++];
    if (byte === undefined) return null;
    if (shift > 46) return "a pack object's size is too large";
    size += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  }
  if (packType === OFS_DELTA) {
    byte = buf[i++];
    if (byte === undefined) return null;
    let distance = byte & 0x7f;
    while (byte & 0x80) {
      byte = buf[i++];
      if (byte === undefined) return null;
      if (distance > 2 ** 45) return "a pack delta's base offset is too large";
      distance = (distance + 1) * 128 + (byte & 0x7f);
    }
    if (distance === 0 || distance > offset) return "a pack delta points outside the pack";
    return { packType, size, baseOffset: offset - distance, length: i };
  }
  if (packType === REF_DELTA) {
    if (buf.length < i + 20) return null;
    return { packType, size, baseOid: hex(buf.subarray(i, i + 20)), length: i + 20 };
  }
  if (!TYPES[packType]) return `a pack object has the invalid type ${packType}`;
  return { packType, size, length: i };
}

/** The parent oids of a commit body (its header lines before the first blank line). */
export function commitParents(body: Uint8Array): string[] | null {
  const text = new TextDecoder().decode(body.subarray(0, Math.min(body.length, 64 * 1024)));
  const end = text.indexOf("\n\n");
  const lines = (end >= 0 ? text.slice(0, end) : text).split("\n");
  if (!lines[0]?.startsWith("tree ")) return null;
  const parents: string[] = [];
  for (const line of lines) {
    const match = /^parent ([0-9a-f]{40})$/.exec(line);
    if (match?.[1]) parents.push(match[1]);
  }
  return parents;
}

async function commitOid(body: Uint8Array): Promise<string> {
  const header = new TextEncoder().encode(`commit ${body.length}\0`);
  return hex(new Uint8Array(await crypto.subtle.digest("SHA-1", concatBytes([header, body]))));
}

export class PackWalker {
  /** Commits found so far: oid → parent oids. */
  readonly commits = new Map<string, string[]>();
  error: string | null = null;
  private phase: "header" | "object" | "inflate" | "trailer" | "done" = "header";
  private pending: Uint8Array = new Uint8Array(0);
  /** Absolute pack offset of pending[0]. */
  private position = 0;
  private remaining = 0;
  private current: Current | null = null;
  private kept = 0;
  private inflated = 0;
  private readonly types = new Map<number, { type: ObjectType; body?: Uint8Array }>();
  private readonly commitOffsets = new Map<string, number>();

  get complete(): boolean {
    return this.phase === "done";
  }

  async push(chunk: Uint8Array): Promise<void> {
    if (this.error || this.phase === "done") return;
    this.pending = this.pending.length > 0 ? concatBytes([this.pending, chunk]) : chunk;
    while (!this.error && this.pending.length > 0 && (await this.step())) {
      // each step consumed something; stop when one needs more input
    }
  }

  /** Advances one step; false when more input is needed. */
  private async step(): Promise<boolean> {
    switch (this.phase) {
      case "header":
        return this.readPackHeader();
      case "object":
        return this.readObjectHeader();
      case "inflate":
        return this.inflate();
      case "trailer":
        if (this.pending.length < 20) return false;
        this.advance(20);
        this.phase = "done";
        return false;
      case "done":
        return false;
    }
  }

  private advance(bytes: number): void {
    this.pending = this.pending.subarray(bytes);
    this.position += bytes;
  }

  private fail(message: string): false {
    this.error = message;
    return false;
  }

  private readPackHeader(): boolean {
    const p = this.pending;
    if (p.length < 12) return false;
    if (p[0] !== 0x50 || p[1] !== 0x41 || p[2] !== 0x43 || p[3] !== 0x4b)
      return this.fail("the push does not carry a git pack");
    const view = new DataView(p.buffer, p.byteOffset, 12);
    const version = view.getUint32(4);
    if (version !== 2 && version !== 3) return this.fail(`the pack has unsupported version ${version}`);
    this.remaining = view.getUint32(8);
    if (this.remaining > MAX_OBJECTS) return this.fail("the pack holds too many objects to check");
    this.advance(12);
    this.phase = this.remaining > 0 ? "object" : "trailer";
    return true;
  }

  private readObjectHeader(): boolean {
    const parsed = parseObjectHeader(this.pending, this.position);
    if (parsed === null) return false;
    if (typeof parsed === "string") return this.fail(parsed);
    this.inflated += parsed.size;
    if (this.inflated > MAX_INFLATED_TOTAL) return this.fail("the pack is too large to check");
    const base = this.baseBodyOf(parsed);
    const keepable = parsed.packType === 1 || base !== null;
    const keep = keepable && parsed.size <= MAX_KEPT_OBJECT && this.kept + parsed.size <= MAX_KEPT_TOTAL;
    const pieces: Uint8Array[] | null = keep ? [] : null;
    this.current = {
      offset: this.position,
      header: parsed,
      base,
      pieces,
      zlib: new ZlibObject(pieces ? (piece) => pieces.push(piece) : null, parsed.size),
    };
    this.advance(parsed.length);
    this.phase = "inflate";
    return true;
  }

  private baseBodyOf(header: ObjectHeader): Uint8Array | null {
    const baseOffset =
      header.baseOffset ??
      (header.baseOid !== undefined ? this.commitOffsets.get(header.baseOid) : undefined);
    if (baseOffset === undefined) return null;
    const base = this.types.get(baseOffset);
    return base?.type === "commit" && base.body ? base.body : null;
  }

  private async inflate(): Promise<boolean> {
    const current = this.current;
    if (!current) return this.fail("the pack walk lost its place");
    const step = current.zlib.feed(this.pending);
    if (step.status === "error") return this.fail(step.message);
    this.advance(step.consumed);
    if (step.status === "more") return false;
    if (current.zlib.size !== current.header.size)
      return this.fail("a pack object inflates to a different size than its header says");
    await this.finishObject(current);
    this.current = null;
    this.remaining -= 1;
    this.phase = this.remaining > 0 ? "object" : "trailer";
    return true;
  }

  private async finishObject(current: Current): Promise<void> {
    const { header, offset } = current;
    const body = current.pieces ? concatBytes(current.pieces) : null;
    if (header.packType === 1 && body) return this.addCommit(offset, body);
    if (header.packType === OFS_DELTA || header.packType === REF_DELTA) {
      const resolved = current.base && body ? applyDelta(current.base, body) : null;
      if (resolved) return this.addCommit(offset, resolved);
      const baseOffset = header.baseOffset;
      const baseType = baseOffset !== undefined ? this.types.get(baseOffset)?.type : undefined;
      // A delta on a known non-commit base has the base's type; anything else cannot be followed.
      this.types.set(offset, { type: baseType && baseType !== "commit" ? baseType : "unknown" });
      return;
    }
    this.types.set(offset, {
      type: header.packType === 1 ? "unknown" : (TYPES[header.packType] ?? "unknown"),
    });
  }

  private async addCommit(offset: number, body: Uint8Array): Promise<void> {
    const parents = commitParents(body);
    if (!parents) {
      this.types.set(offset, { type: "unknown" });
      return;
    }
    const oid = await commitOid(body);
    this.kept += body.length;
    this.types.set(offset, { type: "commit", body });
    this.commits.set(oid, parents);
    this.commitOffsets.set(oid, offset);
  }
}

/** True when `ancestor` is reachable from `descendant` through commits the pack holds. */
export function descendsFrom(
  commits: ReadonlyMap<string, readonly string[]>,
  descendant: string,
  ancestor: string,
): boolean {
  const queue = [descendant];
  const seen = new Set(queue);
  while (queue.length > 0) {
    const oid = queue.pop() as string;
    for (const parent of commits.get(oid) ?? []) {
      if (parent === ancestor) return true;
      if (!seen.has(parent)) {
        seen.add(parent);
        queue.push(parent);
      }
    }
  }
  return false;
}
