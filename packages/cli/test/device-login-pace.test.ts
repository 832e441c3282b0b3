/**
 * The CLI's side of the device sign-in, against a scripted control plane on 127.0.0.1: it keeps
 * the server's pace (slow_down adds 5 s to the interval), stores the key it gets, and ends with
 * exit 3 and a clear message when the code expires. The real Worker is in cli-e2e.test.ts.
 */

import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "./run-cli.ts";

const KEY = `nsk_abcdefgh_${"K".repeat(43)}`;
const NOW = "2026-12-05T00:00:00.000Z";

type TokenAnswer = { status: number; body: unknown };

let server: Server | undefined;

afterEach(() => {
  server?.close();
  server = undefined;
});

/**
 * A control plane whose token endpoint gives the scripted answers in order and records poll
 * times; with no answers at all it has no device sign-in (an older control plane).
 */
async function scriptedControlPlane(answers: TokenAnswer[]): Promise<{ url: string; polls: number[] }> {
  const polls: number[] = [];
  server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    req.resume();
    req.on("end", () => {
      if (req.method === "POST" && req.url === "/auth/device" && answers.length > 0) {
        return send(200, {
          device_code: "device-code-for-test",
          user_code: "BCDF-GHJK",
          verification_uri: "http://127.0.0.1/device",
          verification_uri_complete: "http://127.0.0.1/device?code=BCDF-GHJK",
          expires_in: 60,
          interval: 1,
        });
      }
      if (req.method === "POST" && req.url === "/auth/device/token") {
        polls.push(Date.now());
        const answer = answers.shift() ?? {
          status: 400,
          body: { error: { code: "expired_token", message: "x" } },
        };
        return send(answer.status, answer.body);
      }
      if (req.method === "GET" && req.url === "/api/v1/me") {
        return send(200, {
          user: { id: "u1", login: "ada", name: "Ada", email: "ada@example.com", avatarUrl: null },
          tenants: [{ id: "t1", slug: "acme", name: "Acme", role: "member", createdAt: NOW }],
          via: "api_key",
          apiKey: { id: "k1", tenantId: "t1", role: "member" },
        });
      }
      send(404, { error: { code: "not_found", message: "no route" } });
    });
  });
  const listening = server;
  await new Promise<void>((resolve) => listening.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(listening.address() as AddressInfo).port}`, polls };
}

const error = (code: string) => ({ status: 400, body: { error: { code, message: code } } });

describe("nightshift login by browser (CLI side)", () => {
  it("says to use --api-key against a control plane without the browser sign-in (exit 4)", async () => {
    const plane = await scriptedControlPlane([]);
    const run = await runCli(["--url", plane.url, "login", "--no-browser"], {
      XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), "nightshift-pace-")),
      NIGHTSHIFT_URL: "",
      NIGHTSHIFT_API_KEY: "",
    });
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/has no browser sign-in .*nightshift login --api-key/);
  });

  it("waits the interval, adds 5 s after slow_down, and stores the key it gets", async () => {
    const plane = await scriptedControlPlane([
      error("authorization_pending"),
      error("slow_down"),
      {
        status: 200,
        body: {
          key: KEY,
          tenantId: "t1",
          apiKey: {
            id: "k1",
            name: "nightshift login: test",
            prefix: "nsk_abcdefgh",
            role: "member",
            createdBy: "u1",
            createdAt: NOW,
            lastUsedAt: null,
            expiresAt: null,
            revokedAt: null,
          },
        },
      },
    ]);
    const config = mkdtempSync(join(tmpdir(), "nightshift-pace-"));
    const started = Date.now();
    const run = await runCli(["--url", plane.url, "login", "--no-browser"], {
      XDG_CONFIG_HOME: config,
      NIGHTSHIFT_URL: "",
      NIGHTSHIFT_API_KEY: "",
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("BCDF-GHJK");
    expect(run.stderr).toMatch(/Logged in to .* as ada in tenant acme \(member\)/);
    const [first = 0, second = 0, third = 0] = plane.polls;
    expect(first - started).toBeGreaterThanOrEqual(900);
    expect(second - first).toBeGreaterThanOrEqual(900);
    // After slow_down the interval is 1 + 5 s.
    expect(third - second).toBeGreaterThanOrEqual(5_900);
    const stored = JSON.parse(readFileSync(join(config, "nightshift", "config.json"), "utf8"));
    expect(stored.servers[plane.url].apiKey).toBe(KEY);
  });

  it("ends with exit 3 and says to start again when the code expires", async () => {
    const plane = await scriptedControlPlane([error("authorization_pending"), error("expired_token")]);
    const run = await runCli(["--url", plane.url, "login", "--no-browser"], {
      XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), "nightshift-pace-")),
      NIGHTSHIFT_URL: "",
      NIGHTSHIFT_API_KEY: "",
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/expired before it was approved; run `nightshift login` again/);
    expect(plane.polls).toHaveLength(2);
  });
});
