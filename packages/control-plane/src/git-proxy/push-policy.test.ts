import { describe, expect, it } from "vitest";
import { readReport, ZERO_OID } from "../../test/git-wire";
import { judgePush } from "./push-policy";
import { refusalBody } from "./report-status";

const A = "a".repeat(40);
const B = "b".repeat(40);
const rules = { branch: "nightshift/fix-1", allowForcePush: false };
const own = "refs/heads/nightshift/fix-1";
const one = (ref: string, oldOid = A, newOid = B) => judgePush([{ oldOid, newOid, ref }], rules);

describe("push policy", () => {
  it("allows creating the session branch, with nothing to prove", () => {
    expect(one(own, ZERO_OID)).toMatchObject({ verdicts: [{ ok: true }], ancestryCheck: null });
  });

  it("allows updating the session branch once the pack proves a fast-forward", () => {
    expect(one(own)).toMatchObject({ verdicts: [{ ok: true }], ancestryCheck: { oldOid: A, newOid: B } });
  });

  it("skips the fast-forward proof only when the session allows force-pushes", () => {
    expect(
      judgePush([{ oldOid: A, newOid: B, ref: own }], { ...rules, allowForcePush: true }).ancestryCheck,
    ).toBeNull();
  });

  it("refuses a push to main", () => {
    expect(one("refs/heads/main").verdicts[0]).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/only to nightshift\/fix-1, not to branch main/),
    });
  });

  it("refuses a push to another branch", () => {
    expect(one("refs/heads/nightshift/fix-2").verdicts[0]).toMatchObject({ ok: false });
  });

  it("refuses a tag", () => {
    expect(one("refs/tags/v1.0", ZERO_OID).verdicts[0]).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/tag v1.0/),
    });
  });

  it("refuses deleting the session branch", () => {
    expect(one(own, A, ZERO_OID).verdicts[0]).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/delete/),
    });
  });

  it("refuses other refs such as refs/notes or refs/pull", () => {
    expect(one("refs/notes/commits").verdicts[0]?.ok).toBe(false);
    expect(one("refs/heads/nightshift/fix-1/../main").verdicts[0]?.ok).toBe(false);
  });
});

describe("refusal answer", () => {
  it("says unpack ok and ng per ref inside side-band, with the reason also on band 2", () => {
    const body = refusalBody(
      ["report-status", "side-band-64k"],
      [{ ref: "refs/heads/main", reason: "no\nnewlines" }],
      "nightshift: no",
    );
    const report = readReport(body);
    expect(report.lines).toEqual(["unpack ok", "ng refs/heads/main no newlines"]);
    expect(report.remote).toEqual(["nightshift: no"]);
  });

  it("without side-band, the report-status lines come bare", () => {
    const report = readReport(
      refusalBody(["report-status"], [{ ref: "refs/tags/v1", reason: "no tags" }], "x"),
    );
    expect(report).toEqual({ lines: ["unpack ok", "ng refs/tags/v1 no tags"], remote: [] });
  });
});
