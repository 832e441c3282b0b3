/** The typed client: requests checked before they leave, answers parsed, failures typed. */
import { afterEach, describe, expect, it } from "vitest";
import { ApiError, createClient, NetworkError, RequestValidationError } from "../src/index.ts";
import { type FakeControlPlane, json, startFakeControlPlane } from "./fake-control-plane.ts";

const KEY = "nsk_test_key";
let server: FakeControlPlane | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const ME = {
  user: { id: "u1", login: "ada", name: "Ada", email: "ada@example.com", avatarUrl: null },
  tenants: [{ id: "t1", slug: "acme", name: "Acme", createdAt: new Date(0).toISOString(), role: "owner" }],
  via: "api_key",
  apiKey: { id: "k1", tenantId: "t1", role: "owner" },
};

describe("createClient", () => {
  it("refuses an invalid request before sending anything", async () => {
    server = await startFakeControlPlane((_req, res) => json(res, 500, {}));
    const client = createClient({ baseUrl: server.url, apiKey: KEY });
    const bad = await client.sessions
      .create({ repo: { kind: "local", path: "../etc" }, prompt: "  " })
      .catch((e) => e);
    expect(bad).toBeInstanceOf(RequestValidationError);
    expect((bad as RequestValidationError).issues.map((i) => i.path)).toEqual(["repo.path", "prompt"]);
    await expect(client.sessions.get("not-a-session-id")).rejects.toBeInstanceOf(RequestValidationError);
    await expect(client.secrets.set("lower_case", { value: "x" })).rejects.toBeInstanceOf(
      RequestValidationError,
    );
    expect(server.requests.filter((r) => r.url.pathname !== "/api/v1/me")).toEqual([]);
  });

  it("turns the API's error body into an ApiError with status, code and request id", async () => {
    server = await startFakeControlPlane((_req, res) =>
      json(res, 401, {
        error: { code: "unauthorized", message: "this API key was revoked", requestId: "r-1" },
      }),
    );
    const failure = await createClient({ baseUrl: server.url, apiKey: KEY })
      .sessions.list()
      .catch((e) => e);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ status: 401, code: "unauthorized", requestId: "r-1" });
    expect((failure as Error).message).toBe("this API key was revoked");
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it("reports an answer that does not match the schema as a NetworkError, never as typed data", async () => {
    server = await startFakeControlPlane((_req, res) => json(res, 200, { sessions: "nope" }));
    const failure = await createClient({ baseUrl: server.url, apiKey: KEY })
      .sessions.list()
      .catch((e) => e);
    expect(failure).toBeInstanceOf(NetworkError);
    expect((failure as Error).message).toMatch(/does not understand/);
  });

  it("an unreachable control plane is a NetworkError that says so", async () => {
    server = await startFakeControlPlane(() => {});
    const url = server.url;
    await server.close();
    server = undefined;
    const failure = await createClient({ baseUrl: url, apiKey: KEY })
      .me()
      .catch((e) => e);
    expect(failure).toBeInstanceOf(NetworkError);
    expect((failure as Error).message).toMatch(/cannot reach/);
  });

  it("sends checked bodies and queries, and finds the API key's tenant for secrets", async () => {
    server = await startFakeControlPlane(({ method, url }, res) => {
      if (url.pathname === "/api/v1/me") return json(res, 200, ME);
      if (method === "PUT") {
        return json(res, 201, {
          name: "TOKEN",
          scope: "repo",
          repo: "github:acme/app",
          createdAt: new Date(0).toISOString(),
          updatedAt: new Date(0).toISOString(),
        });
      }
      return json(res, 200, { events: [], nextAfter: 7, hasMore: false });
    });
    const client = createClient({ baseUrl: `${server.url}/`, apiKey: KEY });
    const secret = await client.secrets.set("TOKEN", { value: "s3cret" }, { repo: "github:acme/app" });
    expect(secret.adminOnly).toBe(false);
    const page = await client.sessions.events("0123456789abcdefghijklmnop", { after: 7 });
    expect(page.nextAfter).toBe(7);
    const put = server.requests.find((r) => r.method === "PUT");
    expect(put?.url.pathname).toBe("/api/v1/tenants/t1/secrets/TOKEN");
    expect(put?.url.searchParams.get("repo")).toBe("github:acme/app");
    expect(JSON.parse(put?.body ?? "{}")).toEqual({ value: "s3cret" });
    const events = server.requests.find((r) => r.url.pathname.endsWith("/events"));
    expect(events?.url.search).toBe("?after=7&limit=500");
  });
});
