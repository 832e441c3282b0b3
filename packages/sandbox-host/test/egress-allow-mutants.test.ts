/**
 * --egress-allow lists with blanks and "none" among real names: only the names stay, from the
 * flag and from NIGHTSHIFT_EGRESS_ALLOW alike.
 */
import { describe, expect, it } from "vitest";
import { parseCli } from "../src/cli-options";

const secret = { NIGHTSHIFT_HOST_SECRET: "0123456789abcdef" };

function egressAllowOf(argv: string[], env: NodeJS.ProcessEnv = {}): string[] | undefined {
  const cli = parseCli(argv, { ...secret, ...env });
  if (cli.kind !== "options") throw new Error(`unexpected ${cli.kind}`);
  return cli.options.egressAllow;
}

describe("--egress-allow list cleaning", () => {
  it("drops blank entries and a stray none between host names", () => {
    expect(egressAllowOf(["--egress-allow", "a.example.com, ,none,,b.example.com ,"])).toEqual([
      "a.example.com",
      "b.example.com",
    ]);
  });

  it("cleans the environment's list the same way", () => {
    expect(egressAllowOf([], { NIGHTSHIFT_EGRESS_ALLOW: " none , pypi.org,," })).toEqual(["pypi.org"]);
  });

  it("reads an empty environment value as an empty list, not as the defaults", () => {
    expect(egressAllowOf([], { NIGHTSHIFT_EGRESS_ALLOW: "" })).toEqual([]);
  });

  it("leaves the list unset when neither the flag nor the environment gives one", () => {
    expect(egressAllowOf([])).toBeUndefined();
  });
});
