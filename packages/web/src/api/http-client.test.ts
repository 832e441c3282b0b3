import { TENANT_HEADER } from "@nightshift/protocol";
import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { apiError, json, routeFetch } from "../../test/fetch-routes";
import { ApiError, apiRequest, describeError, setActiveTenant, tenantPath } from "./http-client";

const Thing = z.object({ id: z.string(), count: z.number() });

async function failureOf(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(err)}`);
  return err;
}

afterEach(() => {
  setActiveTenant(null);
  vi.unstubAllGlobals();
});

describe("tenantPath", () => {
  it("puts the active tenant in the path, encoded, and leaves unscoped paths without one", () => {
    expect(tenantPath("/sessions")).toBe("/api/v1/sessions");
    setActiveTenant("t/1 x");
    expect(tenantPath("/sessions")).toBe("/api/v1/tenants/t%2F1%20x/sessions");
    expect(tenantPath("/sessions", "other")).toBe("/api/v1/tenants/other/sessions");
    expect(tenantPath("/me", null)).toBe("/api/v1/me");
  });
});

describe("apiRequest", () => {
  it("GETs JSON with the tenant header and returns the validated body", async () => {
    const calls = routeFetch({ "GET /api/v1/things": () => json({ id: "a", count: 2, extra: true }) });
    setActiveTenant("t1");
    await expect(apiRequest("/api/v1/things", Thing)).resolves.toEqual({ id: "a", count: 2 });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.method).toBe("GET");
    expect(calls[0]?.headers.accept).toBe("application/json");
    expect(calls[0]?.headers[TENANT_HEADER]).toBe("t1");
    expect(calls[0]?.headers["content-type"]).toBeUndefined();
    expect(calls[0]?.body).toBeUndefined();
  });

  it("sends no tenant header before a tenant is chosen", async () => {
    const calls = routeFetch({ "GET /api/v1/me": () => json({ id: "u", count: 0 }) });
    await apiRequest("/api/v1/me", Thing);
    expect(calls[0]?.headers[TENANT_HEADER]).toBeUndefined();
  });

  it("sends a body as JSON with its content type and the chosen method", async () => {
    const calls = routeFetch({
      "PUT /api/v1/things": (req) => json({ id: "b", count: (req.body as { n: number }).n }),
    });
    await expect(apiRequest("/api/v1/things", Thing, { method: "PUT", body: { n: 5 } })).resolves.toEqual({
      id: "b",
      count: 5,
    });
    expect(calls[0]?.method).toBe("PUT");
    expect(calls[0]?.headers["content-type"]).toBe("application/json");
    expect(calls[0]?.body).toEqual({ n: 5 });
  });

  it("returns nothing for a 204 or when no body is expected", async () => {
    routeFetch({
      "DELETE /api/v1/things": () => new Response(null, { status: 204 }),
      "POST /api/v1/things": () => json({ ignored: true }),
    });
    await expect(apiRequest("/api/v1/things", Thing, { method: "DELETE" })).resolves.toBeUndefined();
    await expect(apiRequest("/api/v1/things", null, { method: "POST" })).resolves.toBeUndefined();
  });

  it("turns the server's error body into an ApiError with its code, message and request id", async () => {
    routeFetch({
      "GET /api/v1/things": () =>
        json({ error: { code: "forbidden", message: "owners only", requestId: "req-9" } }, 403),
    });
    const err = await failureOf(apiRequest("/api/v1/things", Thing));
    expect(err).toMatchObject({ status: 403, code: "forbidden", message: "owners only", requestId: "req-9" });
    expect(err.name).toBe("ApiError");
    expect(err.retryAfterSeconds).toBeUndefined();
    expect(err.isUnauthorized).toBe(false);
    expect(err.isNotFound).toBe(false);
  });

  it("flags 401 and 404 for the callers that redirect or show not-found", async () => {
    routeFetch({
      "GET /api/v1/me": () => apiError(401, "unauthorized", "sign in"),
      "GET /api/v1/gone": () => apiError(404, "not_found", "no such thing"),
    });
    const unauthorized = await failureOf(apiRequest("/api/v1/me", Thing));
    expect(unauthorized.isUnauthorized).toBe(true);
    expect(unauthorized.isNotFound).toBe(false);
    const missing = await failureOf(apiRequest("/api/v1/gone", Thing));
    expect(missing.isNotFound).toBe(true);
    expect(missing.isUnauthorized).toBe(false);
  });

  it("reads a 429's Retry-After in seconds or as an HTTP date, and ignores one that is gone or invalid", async () => {
    const limited = (retryAfter: string) => () =>
      new Response(JSON.stringify({ error: { code: "rate_limited", message: "slow down" } }), {
        status: 429,
        headers: { "content-type": "application/json", "retry-after": retryAfter },
      });
    const inFuture = new Date(Date.now() + 30_000).toUTCString();
    routeFetch({
      "GET /seconds": limited(" 12 "),
      "GET /date": limited(inFuture),
      "GET /past": limited(new Date(Date.now() - 60_000).toUTCString()),
      "GET /zero": limited("0"),
      "GET /junk": limited("soon"),
    });
    expect((await failureOf(apiRequest("/seconds", Thing))).retryAfterSeconds).toBe(12);
    const fromDate = (await failureOf(apiRequest("/date", Thing))).retryAfterSeconds;
    expect(fromDate).toBeGreaterThanOrEqual(28);
    expect(fromDate).toBeLessThanOrEqual(31);
    expect((await failureOf(apiRequest("/past", Thing))).retryAfterSeconds).toBeUndefined();
    expect((await failureOf(apiRequest("/zero", Thing))).retryAfterSeconds).toBeUndefined();
    expect((await failureOf(apiRequest("/junk", Thing))).retryAfterSeconds).toBeUndefined();
  });

  it("explains a failure without an error body by its status", async () => {
    routeFetch({
      "GET /down": () => new Response("<html>bad gateway</html>", { status: 502 }),
      "GET /500": () => new Response("", { status: 500 }),
      "GET /teapot": () => new Response("", { status: 418, statusText: "I'm a teapot" }),
      "GET /bare": () => new Response("", { status: 400 }),
      "GET /login": () => new Response("", { status: 401 }),
    });
    expect(await failureOf(apiRequest("/down", Thing))).toMatchObject({
      status: 502,
      code: "http_error",
      message: "HTTP 502: the server failed; try again in a moment",
    });
    expect((await failureOf(apiRequest("/500", Thing))).message).toBe(
      "HTTP 500: the server failed; try again in a moment",
    );
    expect(await failureOf(apiRequest("/teapot", Thing))).toMatchObject({
      code: "http_error",
      message: "HTTP 418: I'm a teapot",
    });
    expect((await failureOf(apiRequest("/bare", Thing))).message).toBe("HTTP 400: failed");
    expect(await failureOf(apiRequest("/login", Thing))).toMatchObject({ status: 401, code: "unauthorized" });
  });

  it("reports a server it cannot reach as a network error, but lets an abort through", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => {
        throw new TypeError("fetch failed");
      }),
    );
    expect(await failureOf(apiRequest("/x", Thing))).toMatchObject({
      status: 0,
      code: "network",
      message: "cannot reach the Nightshift server; check that it is running",
    });

    const aborted = new DOMException("The operation was aborted.", "AbortError");
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => {
        throw aborted;
      }),
    );
    await expect(apiRequest("/x", Thing)).rejects.toBe(aborted);
  });

  it("passes the abort signal to fetch", async () => {
    const fetchStub = vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) =>
      json({ id: "a", count: 1 }),
    );
    vi.stubGlobal("fetch", fetchStub);
    const controller = new AbortController();
    await apiRequest("/x", Thing, { signal: controller.signal });
    expect(fetchStub.mock.calls[0]?.[1]?.signal).toBe(controller.signal);
    expect(fetchStub.mock.calls[0]?.[1]?.credentials).toBe("same-origin");
  });

  it("refuses a success body that is not JSON or not the expected shape, naming where", async () => {
    routeFetch({
      "GET /html": () => new Response("<html></html>", { status: 200 }),
      "GET /shape": () => json({ id: "a", count: "two" }),
      "GET /root": () => json("just a string"),
    });
    expect(await failureOf(apiRequest("/html", Thing))).toMatchObject({
      status: 200,
      code: "invalid_response",
      message: "/html answered with a body that is not JSON",
    });
    const shape = await failureOf(apiRequest("/shape", Thing));
    expect(shape.code).toBe("invalid_response");
    expect(shape.message).toMatch(/^\/shape answered with an unexpected shape at count: \S/);
    const root = await failureOf(apiRequest("/root", Thing));
    expect(root.message).toMatch(/^\/root answered with an unexpected shape: \S/);
  });
});

describe("describeError", () => {
  it("shows an error's own message and a plain sentence for anything else", () => {
    expect(describeError(new ApiError(409, "conflict", "already running"))).toBe("already running");
    expect(describeError(new Error("boom"))).toBe("boom");
    expect(describeError("weird")).toBe("something went wrong");
    expect(describeError(undefined)).toBe("something went wrong");
  });
});
