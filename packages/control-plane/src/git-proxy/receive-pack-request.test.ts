import { describe, expect, it } from "vitest";
import { receivePackBody, ZERO_OID } from "../../test/git-wire";
import { concatBytes, FLUSH_PKT, pktLine, readPktLine } from "./pkt-line";
import { parseReceivePackHead } from "./receive-pack-request";

const A = "a".repeat(40);
const B = "b".repeat(40);
const enc = (s: string) => new TextEncoder().encode(s);

describe("pkt-line", () => {
  it("reads flush, data and refuses impossible lengths", () => {
    expect(readPktLine(enc("0000"), 0)).toMatchObject({ ok: true, line: { kind: "flush" }, next: 4 });
    const data = readPktLine(pktLine("hello\n"), 0);
    expect(data.ok && data.line.kind === "data" && new TextDecoder().decode(data.line.payload)).toBe(
      "hello\n",
    );
    expect(readPktLine(enc("0003"), 0)).toMatchObject({ ok: false, reason: "malformed" });
    expect(readPktLine(enc("zz12"), 0)).toMatchObject({ ok: false, reason: "malformed" });
    expect(readPktLine(enc("00"), 0)).toEqual({ ok: false, reason: "incomplete" });
    expect(readPktLine(enc("000ahel"), 0)).toEqual({ ok: false, reason: "incomplete" });
  });
});

describe("receive-pack head", () => {
  it("reads commands, capabilities, push options and where the pack starts", () => {
    const body = concatBytes([
      pktLine(`${A} ${B} refs/heads/nightshift/x\0report-status side-band-64k push-options`),
      pktLine(`${ZERO_OID} ${B} refs/tags/v1\n`),
      FLUSH_PKT,
      pktLine("ci.skip"),
      FLUSH_PKT,
      enc("PACK...."),
    ]);
    const parsed = parseReceivePackHead(body);
    expect(parsed.status).toBe("ok");
    if (parsed.status !== "ok") return;
    expect(parsed.head.commands).toEqual([
      { oldOid: A, newOid: B, ref: "refs/heads/nightshift/x" },
      { oldOid: ZERO_OID, newOid: B, ref: "refs/tags/v1" },
    ]);
    expect(parsed.head.capabilities).toEqual(["report-status", "side-band-64k", "push-options"]);
    expect(parsed.head.pushOptions).toEqual(["ci.skip"]);
    expect(new TextDecoder().decode(body.subarray(parsed.head.length))).toBe("PACK....");
  });

  it("takes git's probe (a lone flush) as a push of nothing", () => {
    expect(parseReceivePackHead(enc("0000"))).toMatchObject({
      status: "ok",
      head: { commands: [], length: 4 },
    });
  });

  it("skips a shallow client's shallow lines before the commands", () => {
    const body = concatBytes([
      pktLine(`shallow ${A}`),
      receivePackBody([{ old: A, new: B, ref: "refs/heads/x" }], null),
    ]);
    expect(parseReceivePackHead(body)).toMatchObject({
      status: "ok",
      head: { commands: [{ ref: "refs/heads/x" }] },
    });
  });

  it("asks for more while the head is cut short", () => {
    const body = receivePackBody([{ old: A, new: B, ref: "refs/heads/x" }], null);
    for (let cut = 0; cut < body.length; cut++)
      expect(parseReceivePackHead(body.subarray(0, cut)).status).toBe("incomplete");
  });

  it("refuses malformed commands, signed pushes and garbage, never throwing", () => {
    expect(parseReceivePackHead(concatBytes([pktLine("not a command"), FLUSH_PKT])).status).toBe("malformed");
    expect(parseReceivePackHead(concatBytes([pktLine(`${A} ${B} HEAD`), FLUSH_PKT])).status).toBe(
      "malformed",
    );
    expect(parseReceivePackHead(concatBytes([pktLine(`${A} ${B}`), FLUSH_PKT])).status).toBe("malformed");
    expect(parseReceivePackHead(concatBytes([pktLine("push-cert\0report-status"), FLUSH_PKT])).status).toBe(
      "malformed",
    );
    expect(
      parseReceivePackHead(concatBytes([pktLine(`${A.slice(1)} ${B} refs/heads/x`), FLUSH_PKT])).status,
    ).toBe("malformed");
    let seed = 42;
    for (let n = 0; n < 500; n++) {
      const bytes = new Uint8Array(1 + (n % 90));
      for (let i = 0; i < bytes.length; i++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        bytes[i] = n % 2 === 0 ? seed & 0xff : ("0123456789abcdef "[seed % 17]?.charCodeAt(0) ?? 0);
      }
      expect(["ok", "incomplete", "malformed"]).toContain(parseReceivePackHead(bytes).status);
    }
  });

  it("refuses more than 100 ref updates in one push", () => {
    const commands = Array.from({ length: 101 }, (_, i) => ({ old: A, new: B, ref: `refs/heads/b${i}` }));
    expect(parseReceivePackHead(receivePackBody(commands, null)).status).toBe("malformed");
  });
});
