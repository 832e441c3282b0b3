import { afterEach, describe, expect, it, vi } from "vitest";
import { apiError, json, routeFetch } from "../../test/fetch-routes";
import { ApiError, setActiveTenant } from "../api/http-client";
import {
  addMember,
  deleteSecret,
  listMembers,
  putSecret,
  removeMember,
  revokeApiKey,
  setMemberRole,
} from "./settings-api";

afterEach(() => {
  setActiveTenant(null);
  vi.unstubAllGlobals();
});

const ok = () => new Response(null, { status: 204 });

describe("settings API", () => {
  it("sends adminOnly only when ticked, so replacing a value keeps an admin-only secret admin-only", async () => {
    setActiveTenant("t1");
    const calls = routeFetch({ "PUT /api/v1/tenants/t1/secrets/API_TOKEN": ok });
    await putSecret("API_TOKEN", "v1", null);
    await putSecret("API_TOKEN", "v2", null, true);
    expect(calls.map((c) => [c.path, c.body])).toEqual([
      ["/api/v1/tenants/t1/secrets/API_TOKEN", { value: "v1" }],
      ["/api/v1/tenants/t1/secrets/API_TOKEN", { value: "v2", adminOnly: true }],
    ]);
  });

  it("scopes a secret to a repository through the query, encoded", async () => {
    setActiveTenant("t1");
    const calls = routeFetch({ "DELETE /api/v1/tenants/t1/secrets/NPM_TOKEN": ok });
    await deleteSecret("NPM_TOKEN", "github:acme/api");
    expect(calls[0]).toMatchObject({
      method: "DELETE",
      path: `/api/v1/tenants/t1/secrets/NPM_TOKEN?repo=${encodeURIComponent("github:acme/api")}`,
    });
  });

  it("adds, re-roles and removes members with the methods the Worker routes", async () => {
    setActiveTenant("t1");
    const calls = routeFetch({
      "POST /api/v1/tenants/t1/members": ok,
      "PATCH /api/v1/tenants/t1/members/u%2F1": ok,
      "DELETE /api/v1/tenants/t1/members/u%2F1": ok,
      "DELETE /api/v1/tenants/t1/api-keys/k1": ok,
    });
    await addMember("grace", "admin");
    await setMemberRole("u/1", "member");
    await removeMember("u/1");
    await revokeApiKey("k1");
    expect(calls.map((c) => [c.method, c.path, c.body])).toEqual([
      ["POST", "/api/v1/tenants/t1/members", { login: "grace", role: "admin" }],
      ["PATCH", "/api/v1/tenants/t1/members/u%2F1", { role: "member" }],
      ["DELETE", "/api/v1/tenants/t1/members/u%2F1", undefined],
      ["DELETE", "/api/v1/tenants/t1/api-keys/k1", undefined],
    ]);
  });

  it("reads a settings list the Worker does not serve (404) as not available, and still fails on other errors", async () => {
    setActiveTenant("t1");
    routeFetch({});
    await expect(listMembers()).resolves.toEqual({ available: false });
    routeFetch({ "GET /api/v1/tenants/t1/members": () => apiError(403, "forbidden", "admins only") });
    await expect(listMembers()).rejects.toBeInstanceOf(ApiError);
    routeFetch({ "GET /api/v1/tenants/t1/members": () => json({ members: [] }) });
    await expect(listMembers()).resolves.toEqual({ available: true, value: [] });
  });
});
