import { EventsPage, ListRepositoriesResponse, ListSessionsResponse, Session } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { api, appendEvents, createSession, deltas, postJson } from "./helpers";

async function errorOf(res: Response) {
  const body = (await res.json()) as { error: { code: string; message: string } };
  return body.error;
}

describe("sessions API contract", () => {
  it("answers health without credentials", async () => {
    const res = await api("/api/v1/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true });
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9A-Z]{26}$/);
  });

  it("creates a session, queues its first prompt and lists it", async () => {
    const res = await postJson("/api/v1/sessions", {
      repo: { kind: "local", path: "demo" },
      prompt: "Fix the flaky test in parser.ts\nIt fails one run in ten.",
    });
    expect(res.status).toBe(201);
    const session = Session.parse(await res.json());
    expect(res.headers.get("location")).toBe(`/api/v1/sessions/${session.id}`);
    expect(session).toMatchObject({
      tenantId: "local",
      title: "Fix the flaky test in parser.ts",
      agent: "claude-code",
      trigger: "api",
      status: "starting",
    });
    expect(session.branch).toMatch(/^nightshift\/fix-the-flaky-test-in-parser-ts-[0-9a-z]{8}$/);

    const got = Session.parse(await (await api(`/api/v1/sessions/${session.id}`)).json());
    expect(got.status).toBe("starting");

    const page = EventsPage.parse(await (await api(`/api/v1/sessions/${session.id}/events`)).json());
    expect(page.events.slice(0, 3).map((e) => e.event)).toEqual([
      { type: "session.status", status: "queued" },
      expect.objectContaining({ type: "prompt", text: expect.stringContaining("flaky") }),
      { type: "session.status", status: "starting" },
    ]);
    expect(page.events.map((e) => e.seq)).toEqual(page.events.map((_, i) => i + 1));
    expect(page.hasMore).toBe(false);

    const list = ListSessionsResponse.parse(await (await api("/api/v1/sessions")).json());
    expect(list.sessions.map((s) => s.id)).toContain(session.id);
  });

  it("pages the session list newest first with a cursor", async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await createSession(`task ${i}`)).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let guard = 0; guard < 10; guard++) {
      const q: string = cursor ? `?limit=2&cursor=${cursor}` : "?limit=2";
      const page = ListSessionsResponse.parse(await (await api(`/api/v1/sessions${q}`)).json());
      expect(page.sessions.length).toBeLessThanOrEqual(2);
      seen.push(...page.sessions.map((s) => s.id));
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    const ours = seen.filter((id) => made.includes(id));
    expect(ours).toEqual([...made].reverse());
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("queues follow-up prompts in order and reports their position", async () => {
    const s = await createSession();
    const first = await postJson(`/api/v1/sessions/${s.id}/prompts`, { text: "also update the docs" });
    expect(first.status).toBe(202);
    expect(await first.json()).toMatchObject({ position: 1 });
    const second = await postJson(`/api/v1/sessions/${s.id}/prompts`, { text: "and the changelog" });
    expect(await second.json()).toMatchObject({ position: 2 });
  });

  it("pages events with after/limit and reports hasMore", async () => {
    const s = await createSession();
    const appended = await appendEvents(s, deltas(20));
    const a = EventsPage.parse(await (await api(`/api/v1/sessions/${s.id}/events?after=0&limit=10`)).json());
    expect(a.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(a.nextAfter).toBe(10);
    expect(a.hasMore).toBe(true);
    const b = EventsPage.parse(
      await (await api(`/api/v1/sessions/${s.id}/events?after=${a.nextAfter}&limit=1000`)).json(),
    );
    expect(b.events[0]?.seq).toBe(11);
    expect(b.events.map((e) => e.seq)).toContain(appended.lastSeq);
    expect(b.hasMore).toBe(false);
    const beyond = EventsPage.parse(await (await api(`/api/v1/sessions/${s.id}/events?after=999`)).json());
    expect(beyond).toEqual({ events: [], nextAfter: 999, hasMore: false });
  });

  it("stops a session and then refuses prompts with 409", async () => {
    const s = await createSession();
    const res = await api(`/api/v1/sessions/${s.id}/stop`, { method: "POST" });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ status: "stopped" });
    const again = await postJson(`/api/v1/sessions/${s.id}/prompts`, { text: "one more" });
    expect(again.status).toBe(409);
    expect(await errorOf(again)).toMatchObject({ code: "session_closed" });
  });
});

describe("repositories", () => {
  it("lists the local sandbox host's repositories for the new-session picker", async () => {
    const res = await api("/api/v1/repositories");
    expect(res.status).toBe(200);
    expect(ListRepositoriesResponse.parse(await res.json())).toEqual({
      repositories: [{ repo: { kind: "local", path: "demo" }, label: "demo", defaultBranch: "main" }],
    });
  });
});

describe("bad input gets a clear 4xx and no stack trace", () => {
  const cases: [string, () => Promise<Response>, number, string][] = [
    ["malformed JSON", () => postJson("/api/v1/sessions", "{not json"), 400, "invalid_json"],
    [
      "wrong content type",
      () =>
        api("/api/v1/sessions", { method: "POST", headers: { "content-type": "text/plain" }, body: "hi" }),
      415,
      "unsupported_media_type",
    ],
    ["wrong types", () => postJson("/api/v1/sessions", { repo: "x", prompt: 42 }), 400, "invalid_request"],
    [
      "unknown field",
      () => postJson("/api/v1/sessions", { repo: { kind: "local", path: "a" }, prompt: "p", admin: true }),
      400,
      "invalid_request",
    ],
    [
      "path traversal in a local repo",
      () => postJson("/api/v1/sessions", { repo: { kind: "local", path: "../etc" }, prompt: "p" }),
      400,
      "invalid_request",
    ],
    [
      "empty prompt",
      () => postJson("/api/v1/sessions", { repo: { kind: "local", path: "a" }, prompt: "   " }),
      400,
      "invalid_request",
    ],
    [
      "oversized body",
      () => postJson("/api/v1/sessions", { repo: { kind: "local", path: "a" }, prompt: "x".repeat(70_000) }),
      413,
      "payload_too_large",
    ],
    ["unknown session", () => api("/api/v1/sessions/01jaaaaaaaaaaaaaaaaaaaaaaa"), 404, "session_not_found"],
    ["malformed session id", () => api("/api/v1/sessions/..%2F..%2Fetc"), 404, "session_not_found"],
    [
      "prompt to unknown session",
      () => postJson("/api/v1/sessions/01jaaaaaaaaaaaaaaaaaaaaaaa/prompts", { text: "x" }),
      404,
      "session_not_found",
    ],
    [
      "stop unknown session",
      () => api("/api/v1/sessions/01jaaaaaaaaaaaaaaaaaaaaaaa/stop", { method: "POST" }),
      404,
      "session_not_found",
    ],
    ["bad list limit", () => api("/api/v1/sessions?limit=100000"), 400, "invalid_request"],
    ["unknown query parameter", () => api("/api/v1/sessions?sort=evil"), 400, "invalid_request"],
    [
      "negative cursor",
      () => api("/api/v1/sessions/01jaaaaaaaaaaaaaaaaaaaaaaa/events?after=-1"),
      400,
      "invalid_request",
    ],
    ["unknown route", () => api("/api/v1/nope"), 404, "not_found"],
  ];

  for (const [name, call, status, code] of cases) {
    it(`${name} → ${status} ${code}`, async () => {
      const res = await call();
      expect(res.status).toBe(status);
      const text = await res.text();
      expect(text).not.toMatch(/\bat \S+\.(ts|js):\d+/);
      const body = JSON.parse(text) as { error: { code: string; message: string; requestId?: string } };
      expect(body.error.code).toBe(code);
      expect(body.error.message.length).toBeGreaterThan(5);
      expect(body.error.requestId).toBe(res.headers.get("x-request-id"));
    });
  }

  it("names the offending field", async () => {
    const res = await postJson("/api/v1/sessions", {
      repo: { kind: "local", path: "a" },
      prompt: "p",
      agent: "vim",
    });
    const error = (await res.json()) as { error: { message: string; issues: { path: string }[] } };
    expect(error.error.issues.map((i) => i.path)).toContain("agent");
    expect(error.error.message).toContain("agent");
  });

  it("refuses a plain GET on the stream endpoint with 426", async () => {
    const s = await createSession();
    const res = await api(`/api/v1/sessions/${s.id}/stream`);
    expect(res.status).toBe(426);
  });
});
