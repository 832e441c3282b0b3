import { createHash, randomBytes } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { packConversation, unpackConversation } from "./conversation-archive";

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "ns-conversation-"));
  roots.push(dir);
  return dir;
}

function writeAt(dir: string, path: string, data: string | Buffer, ageSeconds: number): void {
  const file = join(dir, path);
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, data);
  const at = Date.now() / 1000 - ageSeconds;
  utimesSync(file, at, at);
}

const manifest = (files: { path: string; data: string }[]) =>
  gzipSync(JSON.stringify({ v: 1, files: files.map((f) => ({ ...f, mtimeMs: 1 })) }));

describe("conversation archive", () => {
  it("packs every regular file (sub-directories too) and unpacks them byte for byte elsewhere", () => {
    const from = tempDir();
    writeAt(from, "-nightshift-work/s1.jsonl", '{"type":"user"}\n', 10);
    writeAt(from, "-nightshift-work/s1/subagents/agent-a.jsonl", "sub\n", 5);
    const binary = randomBytes(1000);
    writeAt(from, "other/blob.bin", binary, 1);
    symlinkSync("/etc/passwd", join(from, "link.jsonl"));
    const packed = packConversation(from, 1024 * 1024);
    expect(packed.dropped).toEqual([]);
    expect(packed.kept.sort()).toEqual(
      ["-nightshift-work/s1.jsonl", "-nightshift-work/s1/subagents/agent-a.jsonl", "other/blob.bin"].sort(),
    );
    const to = join(tempDir(), "projects");
    const unpacked = unpackConversation(to, packed.archive!);
    expect(unpacked).toEqual({ ok: true, files: expect.arrayContaining(packed.kept) });
    expect(readFileSync(join(to, "-nightshift-work/s1.jsonl"), "utf8")).toBe('{"type":"user"}\n');
    expect(readFileSync(join(to, "other/blob.bin")).equals(binary)).toBe(true);
    // The symlink was never followed into the archive.
    expect(existsSync(join(to, "link.jsonl"))).toBe(false);
  });

  it("a conversation over the bound keeps the newest files and names the ones it left out", () => {
    const dir = tempDir();
    // Random bytes do not compress: each file costs about its size in the archive.
    writeAt(dir, "old.jsonl", randomBytes(40_000), 300);
    writeAt(dir, "middle.jsonl", randomBytes(40_000), 200);
    writeAt(dir, "new.jsonl", randomBytes(40_000), 100);
    const packed = packConversation(dir, 60_000);
    expect(packed.kept).toEqual(["new.jsonl"]);
    expect(packed.dropped).toEqual(["old.jsonl", "middle.jsonl"]);
    expect(packed.archive!.byteLength).toBeLessThanOrEqual(60_000);
  });

  it("nothing to save when the directory is missing or no file fits", () => {
    expect(packConversation(join(tempDir(), "absent"), 1000)).toEqual({
      archive: null,
      kept: [],
      dropped: [],
    });
    const dir = tempDir();
    writeAt(dir, "huge.jsonl", randomBytes(20_000).toString("base64"), 1);
    expect(packConversation(dir, 1000)).toEqual({ archive: null, kept: [], dropped: ["huge.jsonl"] });
  });

  it("refuses an archive whose paths climb out of the directory (path traversal) and writes nothing", () => {
    const base = tempDir();
    const to = join(base, "projects");
    for (const path of ["../escaped.jsonl", "a/../../escaped.jsonl", "/tmp/absolute.jsonl", "nul\0.jsonl"]) {
      const result = unpackConversation(to, manifest([{ path, data: "eA==" }]));
      expect(result).toEqual({ ok: false, problem: expect.stringMatching(/outside its directory/) });
    }
    expect(existsSync(join(base, "escaped.jsonl"))).toBe(false);
  });

  it("refuses to write through a symlinked directory inside the conversation directory", () => {
    const to = tempDir();
    const elsewhere = tempDir();
    symlinkSync(elsewhere, join(to, "linked"));
    const result = unpackConversation(to, manifest([{ path: "linked/planted.jsonl", data: "eA==" }]));
    expect(result.ok).toBe(false);
    expect(existsSync(join(elsewhere, "planted.jsonl"))).toBe(false);
  });

  it("refuses a gzip bomb, garbage and an unknown format with a message", () => {
    const to = tempDir();
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024));
    expect(unpackConversation(to, bomb, 1024 * 1024)).toEqual({
      ok: false,
      problem: expect.stringMatching(/more than the allowed size/),
    });
    expect(unpackConversation(to, Buffer.from("not gzip"))).toEqual({
      ok: false,
      problem: expect.stringMatching(/not gzip JSON/),
    });
    expect(unpackConversation(to, gzipSync(JSON.stringify({ v: 9, files: [] })))).toEqual({
      ok: false,
      problem: expect.stringMatching(/unknown format/),
    });
  });

  it("packs raw bytes, not base64: a transcript packs to a fraction of the old format's size", () => {
    const dir = tempDir();
    // Fixed content, shaped like a CLI's transcript: ids that do not compress, around JSON that does.
    const id = (i: number) => createHash("sha256").update(String(i)).digest("hex").slice(0, 16);
    const lines = Array.from(
      { length: 2_000 },
      (_, i) =>
        `{"type":"assistant","uuid":"${id(i)}","parentUuid":"${id(i - 1)}","message":{"role":"assistant","content":[{"type":"text","text":"step ${i}: read the file, then ran the tests"}]}}`,
    );
    const transcript = `${lines.join("\n")}\n`;
    writeAt(dir, "-nightshift-work/s1.jsonl", transcript, 1);
    const packed = packConversation(dir, 1024 * 1024).archive!;
    const oldFormat = manifest([
      { path: "-nightshift-work/s1.jsonl", data: Buffer.from(transcript).toString("base64") },
    ]);
    expect(packed.byteLength).toBeLessThan(oldFormat.byteLength * 0.75);
    const to = tempDir();
    expect(unpackConversation(to, packed).ok).toBe(true);
    expect(readFileSync(join(to, "-nightshift-work/s1.jsonl"), "utf8")).toBe(transcript);
  });

  it("restores an archive an earlier runtime saved in the base64 format (version 1)", () => {
    const to = tempDir();
    const saved = manifest([
      { path: "-nightshift-work/s1.jsonl", data: Buffer.from('{"type":"user"}\n').toString("base64") },
    ]);
    expect(unpackConversation(to, saved)).toEqual({ ok: true, files: ["-nightshift-work/s1.jsonl"] });
    expect(readFileSync(join(to, "-nightshift-work/s1.jsonl"), "utf8")).toBe('{"type":"user"}\n');
  });

  it("refuses a version 2 archive whose sizes do not account for its bytes, and writes nothing", () => {
    const to = tempDir();
    const v2 = (size: number, bytes: string) =>
      gzipSync(`${JSON.stringify({ v: 2, files: [{ path: "a.jsonl", mtimeMs: 1, size }] })}\n${bytes}`);
    for (const archive of [v2(10, "short"), v2(2, "longer than said")]) {
      expect(unpackConversation(to, archive)).toEqual({
        ok: false,
        problem: expect.stringMatching(/unknown format/),
      });
    }
    expect(existsSync(join(to, "a.jsonl"))).toBe(false);
    expect(unpackConversation(to, v2(5, "exact")).ok).toBe(true);
  });
});
