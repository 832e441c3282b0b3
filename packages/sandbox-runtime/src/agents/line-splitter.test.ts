import { describe, expect, it } from "vitest";
import { LineSplitter } from "./line-splitter";

function collect(maxLineBytes = 1024) {
  const lines: string[] = [];
  const oversize: number[] = [];
  const splitter = new LineSplitter({
    maxLineBytes,
    onLine: (l) => lines.push(l),
    onOversize: (b) => oversize.push(b),
  });
  return { splitter, lines, oversize };
}

describe("LineSplitter", () => {
  it("joins lines split across chunks, including a multi-byte character cut in half", () => {
    const { splitter, lines } = collect();
    const bytes = Buffer.from('{"t":"héllo"}\nsecond\r\n');
    const cut = bytes.indexOf(0xa9); // the second byte of "é"
    splitter.push(bytes.subarray(0, cut));
    splitter.push(bytes.subarray(cut));
    expect(lines).toEqual(['{"t":"héllo"}', "second"]);
  });

  it("flushes a last line without newline at end, and keeps empty lines", () => {
    const { splitter, lines } = collect();
    splitter.push(Buffer.from("a\n\nb"));
    expect(lines).toEqual(["a", ""]);
    splitter.end();
    expect(lines).toEqual(["a", "", "b"]);
  });

  it("drops a line over the cap, reports its size, and goes on with the next one", () => {
    const { splitter, lines, oversize } = collect(10);
    splitter.push(Buffer.from("short\n0123456789ab"));
    splitter.push(Buffer.from("cdef\nnext\n"));
    expect(lines).toEqual(["short", "next"]);
    expect(oversize).toEqual([16]);
  });

  it("keeps a line of exactly the cap, and counts an oversize line across many chunks", () => {
    const { splitter, lines, oversize } = collect(10);
    splitter.push(Buffer.from("0123456789\n"));
    splitter.push(Buffer.from("01234"));
    splitter.push(Buffer.from("56789"));
    splitter.push(Buffer.from("X"));
    splitter.push(Buffer.from("YZ"));
    splitter.push(Buffer.from(""));
    splitter.push(Buffer.from("\nok\n"));
    expect(lines).toEqual(["0123456789", "ok"]);
    expect(oversize).toEqual([13]);
  });

  it("reports an oversize last line at the end, and flushes nothing when nothing is pending", () => {
    const { splitter, lines, oversize } = collect(4);
    splitter.push(Buffer.from("done\n"));
    splitter.end();
    expect(lines).toEqual(["done"]);
    splitter.push(Buffer.from("toolong"));
    splitter.end();
    expect(oversize).toEqual([7]);
    expect(lines).toEqual(["done"]);
    splitter.end();
    expect(oversize).toEqual([7]);
  });

  it("strips only a carriage return that ends the line", () => {
    const { splitter, lines } = collect();
    splitter.push(Buffer.from("a\rb\r\n\r\n"));
    expect(lines).toEqual(["a\rb", ""]);
  });
});
