/**
 * `make deploy` runs scripts/check-deploy-config.mjs first; its rules live in src/deploy. A
 * laptop-mode configuration (NIGHTSHIFT_MODE=local, the dev login on) never reaches Cloudflare.
 */
import { describe, expect, it } from "vitest";
import repoWranglerToml from "../../../wrangler.toml?raw";
import { checkDeployConfig, parseVarOverrides } from "../src/deploy/deploy-config";

const toml = (vars: string, extra = "") => `name = "nightshift"\n[vars]\n${vars}\n${extra}`;

describe("deploy configuration check", () => {
  it("make deploy refuses the repository's own (local mode) wrangler.toml", () => {
    const result = checkDeployConfig(repoWranglerToml);
    expect(result.problems).toEqual([expect.stringMatching(/NIGHTSHIFT_MODE is "local" in \[vars\]/)]);
  });

  it("refuses the dev login, from [vars] or from a --var override", () => {
    const on = checkDeployConfig(toml('NIGHTSHIFT_MODE = "cloud"\nNIGHTSHIFT_DEV_LOGIN = "1"'));
    expect(on.problems).toEqual([expect.stringMatching(/NIGHTSHIFT_DEV_LOGIN is "1" in \[vars\]/)]);
    const override = checkDeployConfig(toml('NIGHTSHIFT_MODE = "cloud"'), {
      overrides: parseVarOverrides(["NIGHTSHIFT_DEV_LOGIN:1", "NIGHTSHIFT_MODE:local"]),
    });
    expect(override.problems).toHaveLength(2);
    expect(checkDeployConfig(toml('NIGHTSHIFT_MODE = "cloud"\nNIGHTSHIFT_DEV_LOGIN = "0"')).problems).toEqual(
      [],
    );
  });

  it("refuses a malformed GITHUB_APP_PRIVATE_KEY from [vars], a --var or the deploying shell, naming it", () => {
    const cloud = 'NIGHTSHIFT_MODE = "cloud"';
    const inVars = checkDeployConfig(toml(`${cloud}\nGITHUB_APP_PRIVATE_KEY = "not-a-key"`));
    expect(inVars.problems).toEqual([
      expect.stringMatching(/^GITHUB_APP_PRIVATE_KEY is not a PEM key.*\[vars\]/),
    ]);
    const cutShort = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----";
    const fromShell = checkDeployConfig(toml(cloud), { secrets: { GITHUB_APP_PRIVATE_KEY: cutShort } });
    expect(fromShell.problems).toEqual([
      expect.stringMatching(
        /GITHUB_APP_PRIVATE_KEY is a 'RSA PRIVATE KEY' PEM whose body is not a whole key/,
      ),
    ]);
    expect(fromShell.problems.join()).not.toContain("MIIEpAIBAAKCAQEA");
    const override = checkDeployConfig(toml(cloud), { overrides: { GITHUB_APP_PRIVATE_KEY: "x" } });
    expect(override.problems).toHaveLength(1);
    expect(
      checkDeployConfig(toml(cloud), { secrets: { GITHUB_APP_PRIVATE_KEY: undefined } }).problems,
    ).toEqual([]);
  });

  it("checks only the chosen environment's vars, which wrangler does not merge with [vars]", () => {
    const config = toml(
      'NIGHTSHIFT_MODE = "local"\nNIGHTSHIFT_DEV_LOGIN = "1"',
      '[env.production.vars]\nNIGHTSHIFT_MODE = "cloud"\nALLOW_PROCESS_ISOLATION = "1"\n[env.staging]\nname = "s"\n',
    );
    const production = checkDeployConfig(config, { env: "production" });
    expect(production.problems).toEqual([]);
    expect(production.warnings).toEqual([expect.stringMatching(/ALLOW_PROCESS_ISOLATION/)]);
    // An environment without vars runs with none: the Worker's default mode is cloud.
    expect(checkDeployConfig(config, { env: "staging" }).problems).toEqual([]);
    expect(checkDeployConfig(config, { env: "nope" }).problems).toEqual([
      "wrangler.toml has no [env.nope] section",
    ]);
    expect(checkDeployConfig("[vars\n").problems).toEqual([expect.stringMatching(/not valid TOML/)]);
  });
});
