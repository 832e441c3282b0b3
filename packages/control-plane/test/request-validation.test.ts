/**
 * Request validation as route middleware (http/validate.ts over @hono/zod-validator): path
 * parameters, query strings and JSON bodies refused with the project's error contract, and the
 * checks that must come before a body is read (who the caller is) still coming first.
 */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/client";
import { findInstallationTenant, linkInstallation } from "../src/db/repositories/github";
import { api, createTenant, postJson } from "./helpers";

const LOCAL = "http://localhost:8787";

async function errorOf(
  res: Response,
): Promise<{ code: string; message: string; issues?: { path: string }[] }> {
  return ((await res.json()) as { error: { code: string; message: string } }).error;
}

describe("query strings", () => {
  it("query parameter pollution: a repeated ?limit= is refused, not read as its first value", async () => {
    const res = await api("/api/v1/sessions?limit=5&limit=100000");
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe("invalid_request");
    expect(error.message).toContain("limit");
  });

  it("a single valid value is read as before", async () => {
    const res = await api("/api/v1/sessions?limit=5");
    expect(res.status).toBe(200);
  });
});

describe("path parameters", () => {
  it("an installation id in another notation (hex, exponent, decimal point) is refused, not read as that installation", async () => {
    const owner = await createTenant("param-notation");
    const id = 900_000 + Math.floor(Math.random() * 99_999);
    const db = openDatabase(env.DB);
    const linked = await linkInstallation(db, owner.tenantId, {
      id,
      accountLogin: "notation-org",
      linkedBy: owner.userId,
      now: Date.now(),
    });
    expect(linked).toBe("linked");
    for (const spelled of [`0x${id.toString(16)}`, `${id / 1000}e3`, `${id}.0`, `+${id}`]) {
      const res = await api(
        `/api/v1/tenants/${owner.tenantId}/github/installations/${encodeURIComponent(spelled)}`,
        { method: "DELETE" },
        owner,
      );
      expect(res.status, spelled).toBe(400);
      expect((await errorOf(res)).code).toBe("invalid_request");
    }
    expect(await findInstallationTenant(db, id)).toBe(owner.tenantId);
  });

  it("a malformed session id gets the same 404 as an unknown one, quoting at most 64 characters", async () => {
    const res = await api(`/api/v1/sessions/${"x".repeat(300)}/events`);
    expect(res.status).toBe(404);
    const error = await errorOf(res);
    expect(error.code).toBe("session_not_found");
    expect(error.message).not.toContain("x".repeat(65));
  });

  it("a malformed member id is a 404 and a malformed secret name a 400 naming the rule", async () => {
    const owner = await createTenant("param-shapes");
    const member = await api(`/api/v1/tenants/${owner.tenantId}/members/a%20b`, { method: "DELETE" }, owner);
    expect(member.status).toBe(404);
    const secret = await api(
      `/api/v1/tenants/${owner.tenantId}/secrets/lower-case`,
      { method: "PUT", headers: { "content-type": "application/json" }, body: '{"value":"v"}' },
      owner,
    );
    expect(secret.status).toBe(400);
    expect((await errorOf(secret)).message).toMatch(/^invalid secret name: /);
  });
});

describe("JSON bodies", () => {
  it("names every bad field in issues, with its path", async () => {
    const res = await postJson("/api/v1/sessions", { repo: { kind: "local", path: 7 }, prompt: 1 });
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.issues?.map((i) => i.path)).toEqual(expect.arrayContaining(["repo.path", "prompt"]));
  });

  it("a JSON media type with parameters or a +json suffix is accepted", async () => {
    for (const type of ["application/json; charset=utf-8", "application/vnd.nightshift+json"]) {
      const res = await postJson(
        "/api/v1/sessions",
        { repo: { kind: "local", path: "demo" } },
        { "content-type": type },
      );
      expect(res.status, type).toBe(400);
      expect((await errorOf(res)).code, type).toBe("invalid_request"); // read as JSON: prompt is missing
    }
  });

  it("the dev login takes an empty body with a JSON content type (it is optional)", async () => {
    const res = await exports.default.fetch(
      new Request(`${LOCAL}/auth/dev-login`, {
        method: "POST",
        headers: {
          "cf-connecting-ip": "127.0.0.1",
          origin: LOCAL,
          "content-type": "application/json",
          "content-length": "0",
        },
      }),
    );
    expect(res.status).toBe(200);
  });
});

describe("who is asking comes before what they sent", () => {
  it("a cross-origin dev login with a malformed body is refused as cross-origin (403), not parsed", async () => {
    const res = await exports.default.fetch(
      new Request(`${LOCAL}/auth/dev-login`, {
        method: "POST",
        headers: {
          "cf-connecting-ip": "127.0.0.1",
          origin: "http://evil.example",
          "content-type": "text/plain",
        },
        body: "{not json",
      }),
    );
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie()).toEqual([]);
  });
});
