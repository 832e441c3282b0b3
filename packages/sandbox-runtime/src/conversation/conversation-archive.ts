/**
 * The agent's saved conversation as one bounded archive: every regular file under the CLI's
 * conversation directory (AgentConversationFiles), as gzip of a one-line JSON header
 * `{v: 2, files: [{path, mtimeMs, size}]}`, a newline, then the files' bytes one after another.
 * (Version 1, still restored, was one JSON object with each file's bytes in base64: gzip finds
 * little to compress in base64, so a 265 KB Claude Code transcript packed to 124 KB in ~24 ms where
 * its raw bytes pack to 69 KB in ~9 ms, on every turn's save.) When the archive would exceed the bound,
 * the oldest files are left out until it fits (the newest conversation matters most) and the
 * caller is told which. Unpacking is the hostile direction (the bytes come back over the network):
 * sizes are bounded, every path must stay inside the directory, and nothing is written through a
 * symlink.
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, normalize, relative, sep } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { z } from "zod";

/** A file larger than this is not a conversation transcript: it is left out rather than read. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;
/** Unpacked bytes a restore accepts (a gzip bomb stops here). */
export const MAX_UNPACKED_BYTES = 256 * 1024 * 1024;
/** Files an archive may hold. */
export const MAX_FILES = 2_000;

const FilePath = z.string().min(1).max(1_000);
const Mtime = z.number().nonnegative();
/** Version 1: one JSON object, each file's bytes in base64. */
const ManifestV1 = z.object({
  v: z.literal(1),
  files: z.array(z.object({ path: FilePath, mtimeMs: Mtime, data: z.string() })).max(MAX_FILES),
});
/** Version 2: this header on the first line, then the files' bytes in its order. */
const HeaderV2 = z.object({
  v: z.literal(2),
  files: z
    .array(z.object({ path: FilePath, mtimeMs: Mtime, size: z.number().int().nonnegative() }))
    .max(MAX_FILES),
});
const NEWLINE = 0x0a;

interface PackedFile {
  path: string;
  mtimeMs: number;
  data: Buffer;
}

export interface PackResult {
  /** Null when there is nothing to save (no files, or none fits). */
  archive: Buffer | null;
  /** Relative paths in the archive. */
  kept: string[];
  /** Relative paths left out to stay within the bound (oldest first) or because they were too large. */
  dropped: string[];
}

interface FoundFile {
  path: string;
  absolute: string;
  mtimeMs: number;
  size: number;
}

/** Regular files under `directory` (symlinks and other kinds skipped), paths relative to it. */
function listFiles(directory: string): FoundFile[] {
  const found: FoundFile[] = [];
  const walk = (dir: string) => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const absolute = join(dir, entry.name);
      if (entry.isDirectory()) walk(absolute);
      else if (entry.isFile() && found.length < MAX_FILES) {
        const stat = lstatSync(absolute);
        found.push({ path: relative(directory, absolute), absolute, mtimeMs: stat.mtimeMs, size: stat.size });
      }
    }
  };
  walk(directory);
  return found;
}

function encode(files: PackedFile[]): Buffer {
  const header = {
    v: 2,
    files: files.map((f) => ({ path: f.path, mtimeMs: f.mtimeMs, size: f.data.length })),
  };
  return gzipSync(Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), ...files.map((f) => f.data)]), {
    level: 6,
  });
}

/** Archives the conversation directory within `maxBytes` (compressed), newest files first. */
export function packConversation(directory: string, maxBytes: number): PackResult {
  const found = listFiles(directory).sort((a, b) => b.mtimeMs - a.mtimeMs);
  const dropped = found.filter((f) => f.size > MAX_FILE_BYTES).map((f) => f.path);
  const files: PackedFile[] = found
    .filter((f) => f.size <= MAX_FILE_BYTES)
    .map((f) => ({ path: f.path, mtimeMs: f.mtimeMs, data: readFileSync(f.absolute) }));
  while (files.length > 0) {
    const archive = encode(files);
    if (archive.byteLength <= maxBytes) return { archive, kept: files.map((f) => f.path), dropped };
    // Over the bound: the oldest file goes first (files are newest first).
    dropped.push(files.pop()!.path);
  }
  return { archive: null, kept: [], dropped };
}

export type UnpackResult = { ok: true; files: string[] } | { ok: false; problem: string };

/** Whether `path` (from an archive) names a file strictly inside the directory. */
function safeRelativePath(path: string): string | null {
  if (path.includes("\0") || isAbsolute(path)) return null;
  const normalized = normalize(path);
  if (normalized === "." || normalized.startsWith(`..${sep}`) || normalized === "..") return null;
  return normalized;
}

/** Writes an archive's files back under `directory`; refuses the whole archive if anything is off. */
export function unpackConversation(
  directory: string,
  archive: Uint8Array,
  maxUnpackedBytes = MAX_UNPACKED_BYTES,
): UnpackResult {
  let files: PackedFile[] | null;
  try {
    files = readArchive(gunzipSync(archive, { maxOutputLength: maxUnpackedBytes }));
  } catch (err) {
    const reason =
      err instanceof RangeError ? "it unpacks to more than the allowed size" : "it is not gzip JSON";
    return { ok: false, problem: `the saved conversation is unreadable: ${reason}` };
  }
  if (!files) return { ok: false, problem: "the saved conversation has an unknown format" };
  const planned: PackedFile[] = [];
  for (const file of files) {
    const path = safeRelativePath(file.path);
    if (!path) return { ok: false, problem: "the saved conversation names a file outside its directory" };
    planned.push({ ...file, path });
  }
  mkdirSync(directory, { recursive: true });
  const root = realpathSync(directory);
  for (const file of planned) {
    const target = join(root, file.path);
    mkdirSync(dirname(target), { recursive: true });
    // A directory on the way that is a symlink would lead the write elsewhere.
    const parent = realpathSync(dirname(target));
    if (parent !== root && !parent.startsWith(`${root}${sep}`))
      return { ok: false, problem: "the saved conversation names a file outside its directory" };
    if (lstatOrNull(target)?.isSymbolicLink())
      return { ok: false, problem: "the saved conversation would be written through a symlink" };
    writeFileSync(target, file.data, { mode: 0o600 });
  }
  return { ok: true, files: planned.map((f) => f.path) };
}

/**
 * The files of an unpacked archive, version 2 or 1; null when it is neither, or when version 2's
 * sizes do not account for exactly the bytes after its header. Throws on JSON that does not parse.
 */
function readArchive(unpacked: Buffer): PackedFile[] | null {
  const end = unpacked.indexOf(NEWLINE);
  // Version 1 is one JSON object, which JSON.stringify writes without a newline.
  if (end < 0) {
    const v1 = ManifestV1.safeParse(JSON.parse(unpacked.toString("utf8")));
    if (!v1.success) return null;
    return v1.data.files.map((f) => ({
      path: f.path,
      mtimeMs: f.mtimeMs,
      data: Buffer.from(f.data, "base64"),
    }));
  }
  const header = HeaderV2.safeParse(JSON.parse(unpacked.subarray(0, end).toString("utf8")));
  if (!header.success) return null;
  let offset = end + 1;
  const files: PackedFile[] = [];
  for (const file of header.data.files) {
    if (offset + file.size > unpacked.length) return null;
    files.push({
      path: file.path,
      mtimeMs: file.mtimeMs,
      data: unpacked.subarray(offset, offset + file.size),
    });
    offset += file.size;
  }
  return offset === unpacked.length ? files : null;
}

function lstatOrNull(path: string): import("node:fs").Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}
