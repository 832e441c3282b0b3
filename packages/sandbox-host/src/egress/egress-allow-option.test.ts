import { describe, expect, it } from "vitest";
import { parseCli } from "../cli-options";
import { parseHostOptions } from "../config";
import { DEFAULT_EGRESS_ALLOW } from "./default-allow";

const secret = { NIGHTSHIFT_HOST_SECRET: "0123456789abcdef" };

function egressAllowOf(argv: string[], env: NodeJS.ProcessEnv = {}): string[] | { problems: string[] } {
  const cli = parseCli(argv, { ...secret, ...env });
  if (cli.kind !== "options") throw new Error(`unexpected ${cli.kind}`);
  const parsed = parseHostOptions(cli.options);
  return parsed.ok ? parsed.config.egressAllow : { problems: parsed.problems };
}

describe("--egress-allow", () => {
  it("defaults to the package registries", () => {
    expect(egressAllowOf([])).toEqual([...DEFAULT_EGRESS_ALLOW]);
    expect(DEFAULT_EGRESS_ALLOW).toEqual(
      expect.arrayContaining(["registry.npmjs.org", "pypi.org", "proxy.golang.org"]),
    );
  });

  it("replaces the defaults, repeatable and comma-separated, the flag winning over the environment", () => {
    expect(
      egressAllowOf([
        "--egress-allow",
        "a.example.com,*.b.example.com:8443",
        "--egress-allow",
        "c.example.org",
      ]),
    ).toEqual(["a.example.com", "*.b.example.com:8443", "c.example.org"]);
    expect(egressAllowOf([], { NIGHTSHIFT_EGRESS_ALLOW: "pypi.org" })).toEqual(["pypi.org"]);
    expect(egressAllowOf(["--egress-allow", "crates.io"], { NIGHTSHIFT_EGRESS_ALLOW: "pypi.org" })).toEqual([
      "crates.io",
    ]);
  });

  it('"none" allows no extra host', () => {
    expect(egressAllowOf(["--egress-allow", "none"])).toEqual([]);
  });

  it("refuses IP literals and other non-names with a message that names the option", () => {
    const result = egressAllowOf(["--egress-allow", "169.254.169.254"]);
    expect(result).toEqual({ problems: [expect.stringMatching(/^egressAllow\.0: use a DNS name/)] });
  });

  it("lets setup scripts reach each package manager's registry by default", () => {
    expect([...DEFAULT_EGRESS_ALLOW]).toEqual([
      "registry.npmjs.org",
      "registry.yarnpkg.com",
      "pypi.org",
      "files.pythonhosted.org",
      "deb.debian.org",
      "security.debian.org",
      "crates.io",
      "static.crates.io",
      "index.crates.io",
      "proxy.golang.org",
      "sum.golang.org",
      "rubygems.org",
      "repo.maven.apache.org",
    ]);
    // Each is a name the option itself would accept.
    expect(egressAllowOf(["--egress-allow", DEFAULT_EGRESS_ALLOW.join(",")])).toEqual([
      ...DEFAULT_EGRESS_ALLOW,
    ]);
  });
});
