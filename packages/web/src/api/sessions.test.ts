import type { Session } from "@nightshift/protocol";
import { afterEach, describe, expect, it, vi } from "vitest";
import { json, routeFetch } from "../../test/fetch-routes";
import { setActiveTenant } from "./http-client";
import { getSession, listSessions, sendPrompt, sessionKeys, stopSession } from "./sessions";

const session: Session = {
  id: "s/1",
  tenantId: "t1",
  title: "Fix the flaky login test",
  repo: { kind: "github", owner: "acme", name: "api" },
  agent: "claude-code",
  model: null,
  status: "running",
  trigger: "web",
  createdBy: "ada",
  branch: "nightshift/fix-login",
  costUsd: 0,
  prUrl: null,
  createdAt: "2026-12-04T10:00:00Z",
  updatedAt: "2026-12-04T10:05:00Z",
};

afterEach(() => {
  setActiveTenant(null);
  vi.unstubAllGlobals();
});

describe("listSessions", () => {
  it("asks for the first 25 sessions of any status when nothing is chosen", async () => {
    const calls = routeFetch({
      "GET /api/v1/tenants/t1/sessions": () => json({ sessions: [], nextCursor: null }),
    });
    setActiveTenant("t1");
    await listSessions({ status: null, cursor: null });
    expect(calls.map((c) => c.path)).toEqual(["/api/v1/tenants/t1/sessions?limit=25"]);
  });

  it("sends the status filter, the next page's cursor and a chosen page size", async () => {
    const calls = routeFetch({
      "GET /api/v1/tenants/t1/sessions": () => json({ sessions: [session], nextCursor: "c2" }),
    });
    setActiveTenant("t1");
    const page = await listSessions({ status: "failed", cursor: "c1", limit: 10 });
    expect(page).toEqual({ sessions: [session], nextCursor: "c2" });
    const query = new URL(calls[0]?.path ?? "", "http://x").searchParams;
    expect(Object.fromEntries(query)).toEqual({ limit: "10", status: "failed", cursor: "c1" });
  });

  it("passes the query's abort signal to fetch, so a page left behind stops loading", async () => {
    const seen: (AbortSignal | null | undefined)[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
        seen.push(init?.signal);
        return String(input).endsWith("/sessions/s1")
          ? json(session)
          : json({ sessions: [], nextCursor: null });
      }),
    );
    const controller = new AbortController();
    await listSessions({}, controller.signal);
    await getSession("s1", controller.signal);
    expect(seen).toEqual([controller.signal, controller.signal]);
  });
});

describe("one session", () => {
  it("reads, stops and prompts the session by its encoded id", async () => {
    const calls = routeFetch({
      "GET /api/v1/tenants/t1/sessions/s%2F1": () => json(session),
      "POST /api/v1/tenants/t1/sessions/s%2F1/stop": () => json({ ...session, status: "stopping" }),
      "POST /api/v1/tenants/t1/sessions/s%2F1/prompts": () => json({ promptId: "p1", position: 2 }),
    });
    setActiveTenant("t1");
    await expect(getSession("s/1")).resolves.toEqual(session);
    await expect(stopSession("s/1")).resolves.toMatchObject({ status: "stopping" });
    await expect(sendPrompt("s/1", { text: "and the docs" })).resolves.toEqual({
      promptId: "p1",
      position: 2,
    });
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      "GET /api/v1/tenants/t1/sessions/s%2F1",
      "POST /api/v1/tenants/t1/sessions/s%2F1/stop",
      "POST /api/v1/tenants/t1/sessions/s%2F1/prompts",
    ]);
    expect(calls[2]?.body).toEqual({ text: "and the docs" });
  });
});

describe("sessionKeys", () => {
  it("keys each status's list and each session apart, all under the key a new session invalidates", () => {
    expect(sessionKeys.list(null)).not.toEqual(sessionKeys.list("running"));
    expect(sessionKeys.detail("a")).not.toEqual(sessionKeys.detail("b"));
    expect(sessionKeys.list(null)).not.toEqual(sessionKeys.detail("any"));
    for (const key of [sessionKeys.list(null), sessionKeys.list("failed"), sessionKeys.detail("a")]) {
      expect(key.slice(0, sessionKeys.all.length)).toEqual([...sessionKeys.all]);
    }
  });
});
