import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { runCommand } from "../process/run-command";
import {
  CREDENTIAL_REPO_ENV,
  CREDENTIAL_TOKEN_ENV,
  CREDENTIAL_URL_ENV,
  credentialHelperCommand,
  parseCredentialInput,
  runCredentialHelper,
} from "./credential-helper";

interface Seen {
  authorization: string | undefined;
  body: unknown;
}

let server: Server;
let url: string;
let seen: Seen[];
let answer: { status: number; body: unknown };

beforeEach(async () => {
  seen = [];
  answer = {
    status: 200,
    body: { username: "x-access-token", password: "ghs_scoped", expiresAt: "2030-01-01T00:00:00Z" },
  };
  server = createServer((req: IncomingMessage, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      if (req.url === "/sandbox/git-credentials" && req.method === "POST") {
        seen.push({ authorization: req.headers.authorization, body: JSON.parse(body) });
      }
      res.writeHead(answer.status, { "content-type": "application/json" });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function ask(input: string, env: Record<string, string | undefined>, action = "get") {
  let out = "";
  const warnings: string[] = [];
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

const env = (repo = "https://github.com/acme/api.git") => ({
  [CREDENTIAL_URL_ENV]: url,
  [CREDENTIAL_TOKEN_ENV]: "sandbox-token-123",
  [CREDENTIAL_REPO_ENV]: repo,
});

describe("credential helper", () => {
  it("parses git's key=value input up to the blank line", () => {
    expect(parseCredentialInput("protocol=https\nhost=github.com\npath=o/r.git\n\nignored=1\n")).toEqual({
      protocol: "https",
      host: "github.com",
      path: "o/r.git",
    });
  });

  it("asks the control plane with the bearer token and prints git's credential format", async () => {
    const result = await ask("protocol=https\nhost=github.com\npath=acme/api.git\n\n", env());
    expect(result.code).toBe(0);
    expect(seen).toEqual([
      {
        authorization: "Bearer sandbox-token-123",
        body: { protocol: "https", host: "github.com", path: "acme/api.git" },
      },
    ]);
    expect(result.out).toBe(
      `username=x-access-token\npassword=ghs_scoped\npassword_expiry_utc=${Date.parse("2030-01-01T00:00:00Z") / 1000}\n`,
    );
  });

  it("stays silent for git commands that are not the runtime's, and for store/erase", async () => {
    expect(await ask("protocol=https\nhost=github.com\n\n", {})).toMatchObject({ code: 0, out: "" });
    expect(await ask("protocol=https\nhost=github.com\n\n", env(), "store")).toMatchObject({
      code: 0,
      out: "",
    });
    expect(seen).toHaveLength(0);
  });

  it("fails with a message, and without credentials, when the control plane refuses or answers nonsense", async () => {
    answer = { status: 403, body: { error: { code: "forbidden", message: "no" } } };
    const refused = await ask("protocol=https\nhost=github.com\npath=acme/api.git\n\n", env());
    expect(refused.code).toBe(1);
    expect(refused.out).toBe("");
    expect(refused.warnings[0]).toMatch(/refused git credentials .*HTTP 403/);
    answer = { status: 200, body: { user: "x" } };
    const odd = await ask("protocol=https\nhost=github.com\npath=acme/api.git\n\n", env());
    expect(odd.code).toBe(1);
    expect(odd.warnings[0]).toMatch(/unexpected body/);
  });

  it("a rewritten remote cannot get the session's credential: the helper answers only for the session's repository", async () => {
    const elsewhere = [
      "protocol=https\nhost=evil.example\npath=acme/api.git\n\n",
      "protocol=https\nhost=github.com\npath=attacker/loot.git\n\n",
      "protocol=http\nhost=github.com\npath=acme/api.git\n\n",
      "protocol=https\nhost=github.com:8443\npath=acme/api.git\n\n",
      "protocol=https\nhost=github.com\n\n",
    ];
    for (const input of elsewhere) {
      const result = await ask(input, env());
      expect(result).toMatchObject({ code: 0, out: "" });
      expect(result.warnings[0]).toMatch(/only the session's repository/);
    }
    expect(seen).toHaveLength(0);
    // Host case and a leading slash do not make it another repository.
    const same = await ask("protocol=https\nhost=GitHub.com\npath=/acme/api.git\n\n", env());
    expect(same.code).toBe(0);
    expect(seen).toHaveLength(1);
  });

  it("is what git runs through credential.helper (real git, built runtime bundle)", async () => {
    const command = credentialHelperCommand(process.execPath, inject("plumbingBundle"));
    const result = await runCommand(
      "git",
      ["-c", `credential.helper=${command}`, "-c", "credential.useHttpPath=true", "credential", "fill"],
      {
        input: "protocol=https\nhost=github.com\npath=acme/api.git\n\n",
        env: { ...process.env, ...env(), GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_GLOBAL: "/dev/null" },
        timeoutMs: 20_000,
      },
    );
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toContain("username=x-access-token\npassword=ghs_scoped\n");
    expect(seen[0]?.body).toEqual({ protocol: "https", host: "github.com", path: "acme/api.git" });
  });
});
