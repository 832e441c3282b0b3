/**
 * The runtime's bootstrap exchange against a real HTTP server on 127.0.0.1 that answers as the
 * control plane does (statuses and error bodies scripted per request).
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Backoff } from "../bridge/backoff";
import { bootstrapEnvironment } from "./exchange";

const TOKEN = "bootstrap-token-0123456789abcdef-secret";

interface Scripted {
  url: string;
  requests: { method: string; path: string; authorization: string }[];
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Answers each request with the next [status, body] (the last one repeats). */
async function controlPlane(...answers: [number, unknown][]): Promise<Scripted> {
  const requests: Scripted["requests"] = [];
  const server = createServer((req: IncomingMessage, res) => {
    requests.push({
      method: req.method ?? "",
      path: req.url ?? "",
      authorization: req.headers.authorization ?? "",
    });
    const [status, body] = answers[Math.min(requests.length - 1, answers.length - 1)] ?? [500, {}];
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const error = (code: string, message: string) => ({ error: { code, message } });
const noWait = { sleep: async () => {}, backoff: new Backoff({ baseMs: 1, capMs: 1, random: () => 0 }) };

function ownEnv(controlPlaneUrl: string): Record<string, string> {
  return {
    NIGHTSHIFT_CONTROL_PLANE_URL: controlPlaneUrl,
    NIGHTSHIFT_SESSION_ID: "ses-1",
    NIGHTSHIFT_BOOTSTRAP_TOKEN: TOKEN,
    HOME: "/home/sandbox",
  };
}

describe("the bootstrap exchange", () => {
  it("retries a 503, then merges the answer under what the sandbox already had", async () => {
    const plane = await controlPlane(
      [503, error("upstream_unavailable", "the session is busy")],
      [
        200,
        {
          env: {
            NIGHTSHIFT_SANDBOX_TOKEN: "sandbox-token-xyz",
            NIGHTSHIFT_BRANCH: "nightshift/b",
            HOME: "/x",
          },
        },
      ],
    );
    const warnings: string[] = [];
    const outcome = await bootstrapEnvironment(ownEnv(plane.url), {
      ...noWait,
      warn: (line) => warnings.push(line),
    });
    expect(outcome).toEqual({
      ok: true,
      env: {
        ...ownEnv(plane.url),
        NIGHTSHIFT_SANDBOX_TOKEN: "sandbox-token-xyz",
        NIGHTSHIFT_BRANCH: "nightshift/b",
      },
    });
    expect(plane.requests).toEqual([
      { method: "POST", path: "/sandbox/bootstrap", authorization: `Bearer ${TOKEN}` },
      { method: "POST", path: "/sandbox/bootstrap", authorization: `Bearer ${TOKEN}` },
    ]);
    expect(warnings).toEqual([
      "bootstrap exchange failed (HTTP 503 upstream_unavailable: the session is busy); retrying in 0 ms",
    ]);
  });

  it("a 409 (the token was already used) ends the exchange at once with the control plane's words", async () => {
    const plane = await controlPlane([
      409,
      error(
        "bootstrap_token_used",
        "this bootstrap token was already exchanged; a bootstrap token works once",
      ),
    ]);
    const outcome = await bootstrapEnvironment(ownEnv(plane.url), noWait);
    expect(outcome).toEqual({
      ok: false,
      problem:
        "the control plane refused the bootstrap exchange (HTTP 409 bootstrap_token_used: this bootstrap token was already exchanged; a bootstrap token works once)",
    });
    expect(plane.requests).toHaveLength(1);
  });

  it("gives up on an unreachable control plane after the bounded number of attempts", async () => {
    const plane = await controlPlane([200, {}]);
    const closed = servers.pop();
    await new Promise<void>((resolve) => closed?.close(() => resolve()));
    let slept = 0;
    const outcome = await bootstrapEnvironment(ownEnv(plane.url), {
      ...noWait,
      sleep: async () => {
        slept += 1;
      },
      maxAttempts: 3,
    });
    expect(outcome).toEqual({
      ok: false,
      problem: `the bootstrap exchange failed 3 times; the last time: cannot reach ${plane.url}/sandbox/bootstrap`,
    });
    expect(slept).toBe(2);
  });

  it("never shows the bootstrap token, even when the control plane echoes it", async () => {
    const plane = await controlPlane([401, error("unauthorized", `bad token ${TOKEN}`)]);
    const outcome = await bootstrapEnvironment(ownEnv(plane.url), noWait);
    expect(outcome.ok).toBe(false);
    const problem = outcome.ok ? "" : outcome.problem;
    expect(problem).not.toContain(TOKEN);
    expect(problem).toContain("HTTP 401 unauthorized: bad token [bootstrap token]");
  });

  it("an answer that is not an environment is refused, not retried", async () => {
    const plane = await controlPlane([200, { env: { "not a name": "x" } }]);
    expect(await bootstrapEnvironment(ownEnv(plane.url), noWait)).toEqual({
      ok: false,
      problem: "the control plane refused the bootstrap exchange (its answer is not an environment)",
    });
    expect(plane.requests).toHaveLength(1);
  });

  it("does nothing for a sandbox started with a whole environment (no bootstrap token, or a sandbox token)", async () => {
    const plane = await controlPlane([500, {}]);
    const whole = { NIGHTSHIFT_CONTROL_PLANE_URL: plane.url, NIGHTSHIFT_SANDBOX_TOKEN: "t" };
    expect(await bootstrapEnvironment(whole, noWait)).toEqual({ ok: true, env: whole });
    const both = { ...ownEnv(plane.url), NIGHTSHIFT_SANDBOX_TOKEN: "t" };
    expect(await bootstrapEnvironment(both, noWait)).toEqual({ ok: true, env: both });
    expect(plane.requests).toHaveLength(0);
  });

  it("needs an http(s) control-plane URL to dial", async () => {
    const outcome = await bootstrapEnvironment({
      ...ownEnv("ftp://plane"),
      NIGHTSHIFT_BOOTSTRAP_TOKEN: TOKEN,
    });
    expect(outcome).toEqual({
      ok: false,
      problem:
        "NIGHTSHIFT_CONTROL_PLANE_URL must be an http:// or https:// URL: the bootstrap exchange dials it",
    });
  });
});
