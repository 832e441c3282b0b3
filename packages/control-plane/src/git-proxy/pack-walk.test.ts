import { describe, expect, it } from "vitest";
import { OIDS, pack } from "../../test/fixtures/git-proxy";
import { descendsFrom, PackWalker } from "./pack-walk";

async function walk(bytes: Uint8Array, chunkSize = bytes.length): Promise<PackWalker> {
  const walker = new PackWalker();
  for (let at = 0; at < bytes.length; at += chunkSize) await walker.push(bytes.subarray(at, at + chunkSize));
  return walker;
}

describe("pack walk", () => {
  it("reads a whole pack made by git: its commit and that commit's (absent) parents", async () => {
    const walker = await walk(pack("create"));
    expect(walker.error).toBeNull();
    expect(walker.complete).toBe(true);
    expect(walker.commits.get(OIDS.c1)).toEqual([]);
  });

  it("proves a fast-forward from a thin pack", async () => {
    const walker = await walk(pack("ff"));
    expect(walker.complete).toBe(true);
    expect(descendsFrom(walker.commits, OIDS.c2, OIDS.c1)).toBe(true);
  });

  it("does not prove a force-push: the new commit's history skips the old one", async () => {
    const walker = await walk(pack("force"));
    expect(walker.complete).toBe(true);
    expect(walker.commits.has(OIDS.c3)).toBe(true);
    expect(descendsFrom(walker.commits, OIDS.c3, OIDS.c2)).toBe(false);
  });

  it("proves a merge of the old tip and another line", async () => {
    const walker = await walk(pack("merge"));
    expect(descendsFrom(walker.commits, OIDS.c4, OIDS.c2)).toBe(true);
    expect(walker.commits.get(OIDS.c4)).toEqual([OIDS.c2, OIDS.s]);
  });

  it("resolves commits stored as deltas of other commits", async () => {
    const walker = await walk(pack("deltas"));
    expect(walker.error).toBeNull();
    // D2 and D1 are deltas of D3 in this pack: D3 -> D1 needs D2's parents from its delta.
    expect(walker.commits.get(OIDS.d2)).toEqual([OIDS.d1]);
    expect(descendsFrom(walker.commits, OIDS.d3, OIDS.d1)).toBe(true);
  });

  it("gives the same answer however the stream is cut", async () => {
    for (const size of [1, 7, 64, 1000]) {
      const walker = await walk(pack("deltas"), size);
      expect(walker.complete).toBe(true);
      expect(descendsFrom(walker.commits, OIDS.d3, OIDS.d1)).toBe(true);
    }
  });

  it("a truncated pack is neither complete nor an error, and proves nothing", async () => {
    const bytes = pack("ff");
    for (const cut of [5, 12, 13, 30, bytes.length - 21]) {
      const walker = await walk(bytes.subarray(0, cut));
      expect(walker.complete).toBe(false);
      expect(walker.error).toBeNull();
    }
  });

  it("refuses garbage, a bad signature, a bad version and a bad object type without throwing", async () => {
    const ff = pack("ff");
    const notPack = await walk(new TextEncoder().encode("this is not a pack at all"));
    expect(notPack.error).toMatch(/git pack/);
    const version = ff.slice();
    version[7] = 9;
    expect((await walk(version)).error).toMatch(/version/);
    const badType = ff.slice();
    badType[12] = ((badType[12] ?? 0) & 0x8f) | (5 << 4);
    expect((await walk(badType)).error).toMatch(/invalid type/);
    for (let seed = 1; seed <= 200; seed++) {
      const noise = ff.slice();
      for (let i = 12; i < noise.length; i += 1 + ((seed * 7) % 13))
        noise[i] = (noise[i] ?? 0) ^ (seed & 0xff);
      const walker = await walk(noise, 1 + (seed % 17));
      expect(walker.complete && walker.error !== null).toBe(false);
    }
  });

  it("refuses an object that inflates past the size its header states (a zlib bomb)", async () => {
    const bytes = pack("create").slice();
    // The first object's size is in the low nibble of its first header byte (and more bytes when
    // the continuation bit is set): claim a size of 1.
    const first = bytes[12] ?? 0;
    bytes[12] = (first & 0x70) | 1;
    const walker = await walk(bytes);
    expect(walker.error).not.toBeNull();
  });
});
