/** The CLI's pure parts: the exit-code contract, repository arguments, the config file's mode. */
import { chmodSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApiError, NetworkError, RequestValidationError } from "@nightshift/client";
import { describe, expect, it } from "vitest";
import { parseRepo } from "../src/commands/sessions.ts";
import { configPath, readConfig, writeConfig } from "../src/config.ts";
import { resolveTarget } from "../src/context.ts";
import { CliError, EXIT, exitCodeFor } from "../src/exit-codes.ts";

describe("exit codes", () => {
  it("map every failure to the documented code", () => {
    const api = (status: number) => new ApiError(status, "invalid_request", "x");
    expect(exitCodeFor(api(401))).toBe(EXIT.auth);
    expect(exitCodeFor(api(403))).toBe(EXIT.auth);
    expect(exitCodeFor(api(404))).toBe(EXIT.notFound);
    expect(exitCodeFor(api(400))).toBe(EXIT.usage);
    expect(exitCodeFor(api(409))).toBe(EXIT.usage);
    expect(exitCodeFor(api(429))).toBe(EXIT.server);
    expect(exitCodeFor(api(500))).toBe(EXIT.server);
    expect(exitCodeFor(api(503))).toBe(EXIT.server);
    expect(exitCodeFor(new NetworkError("down"))).toBe(EXIT.server);
    expect(exitCodeFor(new RequestValidationError("x", []))).toBe(EXIT.usage);
    expect(exitCodeFor(new CliError(EXIT.failed, "turn failed"))).toBe(EXIT.failed);
  });
});

describe("repository arguments", () => {
  it("owner/name is GitHub, local:<path> is a local repository, anything else is refused", () => {
    expect(parseRepo("acme/app")).toEqual({ kind: "github", owner: "acme", name: "app" });
    expect(parseRepo("local:demo")).toEqual({ kind: "local", path: "demo" });
    expect(() => parseRepo("acme")).toThrow(/owner\/name/);
    expect(() => parseRepo("a/b/c")).toThrow(CliError);
  });
});

describe("the config file", () => {
  it("is written mode 0600 even over a file that was readable by others", () => {
    const path = join(mkdtempSync(join(tmpdir(), "nightshift-config-")), "nightshift", "config.json");
    writeConfig({ servers: {} }, path);
    chmodSync(path, 0o644);
    writeConfig(
      { current: "http://127.0.0.1:8787", servers: { "http://127.0.0.1:8787": { apiKey: "nsk_x" } } },
      path,
    );
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readConfig(path).servers["http://127.0.0.1:8787"]?.apiKey).toBe("nsk_x");
  });

  it("a damaged file is a usage error that says how to recover", () => {
    const path = join(mkdtempSync(join(tmpdir(), "nightshift-config-")), "config.json");
    writeFileSync(path, "{ not json");
    expect(() => readConfig(path)).toThrow(/delete it and run `nightshift login`/);
  });
});

describe("which key goes where", () => {
  it("a key stored for one control plane is never sent to another URL", () => {
    const env = { XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), "nightshift-config-")) };
    const home = "http://127.0.0.1:8787";
    writeConfig({ current: home, servers: { [home]: { apiKey: "nsk_home" } } }, configPath(env));
    expect(resolveTarget({}, env)).toEqual({ baseUrl: home, apiKey: "nsk_home" });
    expect(resolveTarget({ url: "http://127.0.0.1:8787/some/path" }, env).apiKey).toBe("nsk_home");
    expect(resolveTarget({ url: "https://elsewhere.example" }, env)).toEqual({
      baseUrl: "https://elsewhere.example",
      apiKey: undefined,
    });
    expect(resolveTarget({}, { ...env, NIGHTSHIFT_URL: "http://127.0.0.1:9999" }).apiKey).toBeUndefined();
  });
});
