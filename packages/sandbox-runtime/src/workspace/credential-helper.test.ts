import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { runCommand } from "../process/run-command";
import {
  CREDENTIAL_REPO_ENV,
  CREDENTIAL_TOKEN_ENV,
  CREDENTIAL_URL_ENV,
  credentialHelperCommand,
  isOnGitProxy,
  parseCredentialInput,
  runCredentialHelper,
  tokenExpiry,
} from "./credential-helper";

/**
 * A control plane that still offers the old broker: anything that asks it gets an installation
 * token. The helper must never ask (the token broker is gone from sandboxes).
 */
let broker: Server;
let plane: string;
let brokerHits: string[];

beforeEach(async () => {
  brokerHits = [];
  broker = createServer((req, res) => {
    brokerHits.push(`${req.method} ${req.url}`);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ username: "x-access-token", password: "ghs_installation_token_canary" }));
  });
  await new Promise<void>((resolve) => broker.listen(0, "127.0.0.1", resolve));
  plane = `http://127.0.0.1:${(broker.address() as AddressInfo).port}`;
});
afterEach(() => new Promise<void>((resolve) => broker.close(() => resolve())));

const EXP = 1_900_000_000;
/** A sandbox token shaped like the control plane's (a JWT whose payload says when it expires). */
const TOKEN = `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify({ sub: "ses_1", exp: EXP })).toString("base64url")}.c2ln`;

async function ask(input: string, env: Record<string, string | undefined>, action = "get") {
  let out = "";
  const warnings: string[] = [];
  // Awaited: the helper of old asked the control plane over the network.
  const code = await runCredentialHelper({
    action,
    input,
    env,
    write: (text) => {
      out += text;
    },
    warn: (text) => warnings.push(text),
  });
  return { code, out, warnings };
}

const proxyRepo = () => `${plane}/sandbox/git/github/acme/api.git`;
const env = (repo = proxyRepo()) => ({
  [CREDENTIAL_URL_ENV]: plane,
  [CREDENTIAL_TOKEN_ENV]: TOKEN,
  [CREDENTIAL_REPO_ENV]: repo,
});
const input = (host: string, path: string, protocol = "http") =>
  `protocol=${protocol}\nhost=${host}\npath=${path}\n\n`;

describe("credential helper", () => {
  it("parses git's key=value input up to the blank line", () => {
    expect(parseCredentialInput("protocol=https\nhost=github.com\npath=o/r.git\n\nignored=1\n")).toEqual({
      protocol: "https",
      host: "github.com",
      path: "o/r.git",
    });
  });

  it("answers git with the current sandbox token as the Basic password, for the proxy's repository only", async () => {
    const host = new URL(plane).host;
    const result = await ask(input(host, "sandbox/git/github/acme/api.git"), env());
    expect(result.code).toBe(0);
    expect(result.out).toBe(`username=x-sandbox-token\npassword=${TOKEN}\npassword_expiry_utc=${EXP}\n`);
    expect(brokerHits).toEqual([]);
  });

  it("a GitHub repository URL gets no credential: the helper never fetches a forge token for the sandbox", async () => {
    const result = await ask(
      input("github.com", "acme/api.git", "https"),
      env("https://github.com/acme/api.git"),
    );
    expect(result.out).toBe("");
    expect(result.out).not.toContain("ghs_");
    expect(result.warnings.join(" ")).toMatch(/not on the control plane's git proxy/);
    expect(brokerHits).toEqual([]);
  });

  it("stays silent for git commands that are not the runtime's, and for store/erase", async () => {
    const host = new URL(plane).host;
    expect(await ask(input(host, "sandbox/git/github/acme/api.git"), {})).toMatchObject({ code: 0, out: "" });
    expect(await ask(input(host, "sandbox/git/github/acme/api.git"), env(), "store")).toMatchObject({
      code: 0,
      out: "",
    });
  });

  it("a rewritten remote cannot get the sandbox token: the helper answers only for the session's repository", async () => {
    const host = new URL(plane).host;
    const elsewhere = [
      input("evil.example", "sandbox/git/github/acme/api.git"),
      input(host, "sandbox/git/github/attacker/loot.git"),
      input(host, "sandbox/connect"),
      input(host, "sandbox/git/github/acme/api.git", "https"),
      input(`${new URL(plane).hostname}:1`, "sandbox/git/github/acme/api.git"),
      `protocol=http\nhost=${host}\n\n`,
    ];
    for (const text of elsewhere) {
      const result = await ask(text, env());
      expect(result, text).toMatchObject({ code: 0, out: "" });
      expect(result.warnings[0]).toMatch(/only the session's repository/);
    }
    // Host case and a leading slash do not make it another repository.
    const same = await ask(input(host.toUpperCase(), "/sandbox/git/github/acme/api.git"), env());
    expect(same.out).toContain(`password=${TOKEN}`);
  });

  it("a repository URL off the proxy prefix, or carrying user info, never gets the token", () => {
    expect(isOnGitProxy(`${plane}/sandbox/git/local/demo.git`, plane)).toBe(true);
    expect(isOnGitProxy(`${plane}/sandbox/gitx/local/demo.git`, plane)).toBe(false);
    expect(isOnGitProxy(`${plane}/sandbox/git/`, plane)).toBe(false);
    expect(isOnGitProxy(`${plane}/sandbox/git/%2e%2e/connect`, plane)).toBe(false);
    expect(isOnGitProxy(`https://evil.example/sandbox/git/local/demo.git`, plane)).toBe(false);
    expect(isOnGitProxy(`${plane.replace("http://", "http://u:p@")}/sandbox/git/a.git`, plane)).toBe(false);
    expect(isOnGitProxy(`${plane}/base/sandbox/git/a.git`, `${plane}/base`)).toBe(true);
  });

  it("reads the expiry from a JWT and nothing from other tokens", () => {
    expect(tokenExpiry(TOKEN)).toBe(EXP);
    expect(tokenExpiry("opaque-token")).toBeNull();
    expect(tokenExpiry("a.bm90IGpzb24.c")).toBeNull();
  });

  it("is what git runs through credential.helper (real git, built runtime bundle)", async () => {
    const command = credentialHelperCommand(process.execPath, inject("plumbingBundle"));
    const result = await runCommand(
      "git",
      ["-c", `credential.helper=${command}`, "-c", "credential.useHttpPath=true", "credential", "fill"],
      {
        input: `url=${proxyRepo()}\n\n`,
        env: { ...process.env, ...env(), GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_GLOBAL: "/dev/null" },
        timeoutMs: 20_000,
      },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`username=x-sandbox-token\npassword=${TOKEN}\n`);
    expect(brokerHits).toEqual([]);
  });
});
