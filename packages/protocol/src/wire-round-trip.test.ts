/**
 * Every body, frame and event the Worker, the sandbox host and the runtime send each other keeps
 * each field it declares: a schema that silently dropped one (or all) would hand the dashboard or
 * the runtime an empty object that still "parses".
 */
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  AgentEvent,
  ConnectGithubResponse,
  ControlFrame,
  CreateApiKeyResponse,
  EgressDenial,
  ErrorBody,
  EventsPage,
  GithubConnectionResponse,
  Health,
  ListApiKeysResponse,
  ListAuditResponse,
  ListLocalRepositoriesResponse,
  ListMembersResponse,
  ListRepositoriesResponse,
  ListSandboxesResponse,
  ListSecretsResponse,
  ListSessionsResponse,
  ListTenantsResponse,
  MeResponse,
  RuntimeFrame,
  SendPromptResponse,
  ServerFrame,
  SignInResponse,
  TenantSettings,
} from "./index.ts";

const at = "2026-12-04T12:00:00.000Z";
const user = { id: "u1", login: "ada", name: "Ada", email: "ada@example.com", avatarUrl: null };
const tenant = { id: "t1", slug: "acme", name: "Acme", createdAt: at, role: "owner" };
const session = {
  id: "s1",
  tenantId: "t1",
  title: "Fix the tests",
  repo: { kind: "github", owner: "acme", name: "app" },
  agent: "claude-code",
  model: null,
  status: "queued",
  queuePosition: 2,
  trigger: "web",
  createdBy: "u1",
  branch: "nightshift/fix-tests",
  costUsd: 0.5,
  prUrl: null,
  createdAt: at,
  updatedAt: at,
};
const apiKey = {
  id: "k1",
  name: "ci",
  prefix: "nsk_3fa9c2d1",
  role: "member",
  createdBy: "u1",
  createdAt: at,
  lastUsedAt: null,
  expiresAt: at,
  revokedAt: null,
};
const events = [
  { type: "session.status", status: "failed", reason: "no heartbeat" },
  { type: "session.queue", position: 3 },
  { type: "prompt", promptId: "p1", text: "fix it", author: "Ada" },
  { type: "message.delta", messageId: "m1", text: "Look" },
  { type: "message", messageId: "m1", role: "assistant", text: "Looking." },
  { type: "tool.start", toolId: "t1", name: "Bash", input: { command: "ls" } },
  { type: "tool.end", toolId: "t1", name: "Bash", output: "a\nb", isError: false },
  {
    type: "usage",
    inputTokens: 10,
    outputTokens: 5,
    cacheReadTokens: 2,
    cacheWriteTokens: 1,
    costUsd: 0.01,
    model: "claude",
  },
  { type: "turn.end", promptId: "p1", status: "completed", durationMs: 1200, summary: "done" },
  { type: "git.push", branch: "nightshift/x", sha: "abc1234", filesChanged: 2, insertions: 3, deletions: 1 },
  { type: "pr", url: "https://github.com/acme/app/pull/1", number: 1, state: "open" },
  { type: "log", source: "setup", stream: "stderr", text: "warn" },
  { type: "error", code: "turn_timeout", message: "too long" },
];

const samples: [string, z.ZodType, unknown][] = [
  ["Health", Health, { ok: true, version: "0.1.0", time: at }],
  ["ListSessionsResponse", ListSessionsResponse, { sessions: [session], nextCursor: "c" }],
  ["SendPromptResponse", SendPromptResponse, { promptId: "p1", position: 0 }],
  [
    "EventsPage",
    EventsPage,
    { events: events.map((event, i) => ({ seq: i + 1, at, event })), nextAfter: 13, hasMore: false },
  ],
  [
    "ListRepositoriesResponse",
    ListRepositoriesResponse,
    { repositories: [{ repo: { kind: "local", path: "demo" }, label: "demo", defaultBranch: "main" }] },
  ],
  ["SignInResponse", SignInResponse, { user, expiresAt: at }],
  [
    "MeResponse",
    MeResponse,
    { user, tenants: [tenant], via: "api_key", apiKey: { id: "k1", tenantId: "t1", role: "admin" } },
  ],
  ["ListTenantsResponse", ListTenantsResponse, { tenants: [tenant] }],
  [
    "ListMembersResponse",
    ListMembersResponse,
    { members: [{ userId: "u1", login: "ada", name: "Ada", role: "admin", createdAt: at }] },
  ],
  ["ListApiKeysResponse", ListApiKeysResponse, { apiKeys: [apiKey] }],
  ["CreateApiKeyResponse", CreateApiKeyResponse, { apiKey, key: "nsk_3fa9c2d1_secret" }],
  [
    "ListSecretsResponse",
    ListSecretsResponse,
    {
      secrets: [
        {
          name: "NPM_TOKEN",
          scope: "repo",
          repo: "github:acme/app",
          adminOnly: true,
          createdAt: at,
          updatedAt: at,
        },
      ],
    },
  ],
  [
    "ListAuditResponse",
    ListAuditResponse,
    {
      entries: [
        {
          id: "a1",
          tenantId: "t1",
          actor: { type: "user", id: "u1", name: "Ada" },
          action: "secret.set",
          target: { type: "secret", id: "NPM_TOKEN" },
          detail: { scope: "repo", count: 1, adminOnly: true, repo: null },
          createdAt: at,
        },
      ],
      nextCursor: null,
    },
  ],
  [
    "ListSandboxesResponse",
    ListSandboxesResponse,
    {
      sandboxes: [
        {
          id: "sb1",
          sessionId: "s1",
          incarnation: "i1",
          state: "running",
          isolation: "bubblewrap",
          network: "isolated",
          warnings: ["network shared"],
          pid: 42,
          exitCode: null,
          createdAt: at,
          endedAt: null,
        },
      ],
    },
  ],
  [
    "ListLocalRepositoriesResponse",
    ListLocalRepositoriesResponse,
    { repositories: [{ path: "demo", defaultBranch: null }] },
  ],
  [
    "EgressDenial",
    EgressDenial,
    { target: "CONNECT evil.example.com:443", reason: "not allowed", repeats: 2 },
  ],
  [
    "GithubConnectionResponse",
    GithubConnectionResponse,
    {
      configured: true,
      appSlug: "nightshift",
      triggerLabel: "agent",
      appUrl: "https://github.com/apps/nightshift",
      installations: [
        {
          id: 7,
          account: "acme",
          repositories: [{ id: 9, owner: "acme", name: "app" }],
          connectedAt: at,
        },
      ],
    },
  ],
  [
    "ConnectGithubResponse",
    ConnectGithubResponse,
    { url: "https://github.com/apps/nightshift/installations/new" },
  ],
  ["TenantSettings", TenantSettings, { egress: { allowHosts: ["registry.npmjs.org"] }, updatedAt: at }],
  [
    "ErrorBody",
    ErrorBody,
    {
      error: {
        code: "invalid_request",
        message: "bad",
        requestId: "r1",
        issues: [{ path: "prompt", message: "must not be empty" }],
      },
    },
  ],
];

const frames: [string, z.ZodType, unknown[]][] = [
  [
    "ServerFrame",
    ServerFrame,
    [
      { v: 1, type: "events", events: [{ seq: 1, at, event: events[2] }] },
      { v: 1, type: "replay.done", lastSeq: 7 },
      {
        v: 1,
        type: "presence",
        you: "u1",
        participants: [{ id: "u1", name: "Ada", typing: true, connectedAt: at }],
      },
      { v: 1, type: "pong", nonce: "n" },
      { v: 1, type: "error", code: "invalid_frame", message: "bad" },
    ],
  ],
  [
    "RuntimeFrame",
    RuntimeFrame,
    [
      { v: 1, type: "hello", runtimeVersion: "0.1.0", lastSeq: 3 },
      { v: 1, type: "events", events: [{ seq: 1, event: events[3] }] },
      { v: 1, type: "heartbeat" },
      { v: 1, type: "ready" },
    ],
  ],
  [
    "ControlFrame",
    ControlFrame,
    [
      { v: 1, type: "welcome", ackedSeq: 0 },
      { v: 1, type: "ack", seq: 4 },
      { v: 1, type: "prompt", promptId: "p1", text: "go", author: { name: "Ada", email: "ada@example.com" } },
      { v: 1, type: "cancel", promptId: "p1" },
      { v: 1, type: "shutdown", reason: "stopped" },
      { v: 1, type: "error", code: "unknown_frame", message: "what" },
      { v: 1, type: "token", token: "eyJ.a.b", expiresAt: at },
    ],
  ],
  ["AgentEvent", AgentEvent, events],
];

describe("wire schemas keep every field they declare", () => {
  it.each(samples)("%s", (_name, schema, sample) => {
    expect(schema.parse(sample)).toEqual(sample);
  });

  it.each(frames)("every %s kind", (_name, schema, list) => {
    for (const frame of list) expect(schema.parse(frame)).toEqual(frame);
  });

  it("a response missing a required field does not parse", () => {
    const { prUrl: _dropped, ...withoutPrUrl } = session;
    expect(ListSessionsResponse.safeParse({ sessions: [withoutPrUrl], nextCursor: null }).success).toBe(
      false,
    );
    const { revokedAt: _gone, ...withoutRevokedAt } = apiKey;
    expect(ListApiKeysResponse.safeParse({ apiKeys: [withoutRevokedAt] }).success).toBe(false);
  });
});

describe("runtime frames are strict and bounded", () => {
  const event = { type: "message.delta", messageId: "m", text: "x" };

  it("a batch carries 1 to 500 events", () => {
    const batch = (n: number) => ({
      v: 1,
      type: "events",
      events: Array.from({ length: n }, (_, i) => ({ seq: i + 1, event })),
    });
    expect(RuntimeFrame.safeParse(batch(0)).success).toBe(false);
    expect(RuntimeFrame.safeParse(batch(500)).success).toBe(true);
    expect(RuntimeFrame.safeParse(batch(501)).success).toBe(false);
  });

  it("an unknown field is refused, a runtime version is at most 50 characters", () => {
    expect(RuntimeFrame.safeParse({ v: 1, type: "heartbeat", extra: 1 }).success).toBe(false);
    const hello = (runtimeVersion: string) => ({ v: 1, type: "hello", runtimeVersion, lastSeq: 0 });
    expect(RuntimeFrame.safeParse(hello("x".repeat(50))).success).toBe(true);
    expect(RuntimeFrame.safeParse(hello("x".repeat(51))).success).toBe(false);
  });

  it("a renewed token is 1 to 4096 characters with an ISO expiry", () => {
    const token = (value: string, expiresAt = at) => ({ v: 1, type: "token", token: value, expiresAt });
    expect(ControlFrame.safeParse(token("")).success).toBe(false);
    expect(ControlFrame.safeParse(token("t".repeat(4096))).success).toBe(true);
    expect(ControlFrame.safeParse(token("t".repeat(4097))).success).toBe(false);
    expect(ControlFrame.safeParse(token("t", "tomorrow")).success).toBe(false);
  });
});

describe("events", () => {
  it("ids are 1 to 200 characters, authors and tool names at most 200", () => {
    const delta = (messageId: string) => ({ type: "message.delta", messageId, text: "x" });
    expect(AgentEvent.safeParse(delta("")).success).toBe(false);
    expect(AgentEvent.safeParse(delta("m".repeat(200))).success).toBe(true);
    expect(AgentEvent.safeParse(delta("m".repeat(201))).success).toBe(false);
    const prompt = (author: string) => ({ type: "prompt", promptId: "p", text: "t", author });
    expect(AgentEvent.safeParse(prompt("a".repeat(200))).success).toBe(true);
    expect(AgentEvent.safeParse(prompt("a".repeat(201))).success).toBe(false);
  });

  it("usage counts cache tokens as 0 when absent and refuses negative numbers", () => {
    expect(AgentEvent.parse({ type: "usage", inputTokens: 1, outputTokens: 2, costUsd: 0 })).toMatchObject({
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
    expect(
      AgentEvent.safeParse({ type: "usage", inputTokens: -1, outputTokens: 0, costUsd: 0 }).success,
    ).toBe(false);
  });

  it("a pushed commit names a hex sha of 7 to 64 characters", () => {
    const push = (sha: string) => ({ ...events[9], sha });
    expect(AgentEvent.safeParse(push("abc123")).success).toBe(false);
    expect(AgentEvent.safeParse(push("a".repeat(64))).success).toBe(true);
    expect(AgentEvent.safeParse(push("a".repeat(65))).success).toBe(false);
    expect(AgentEvent.safeParse(push("ABC1234")).success).toBe(false);
    expect(AgentEvent.safeParse(push("xabc1234")).success).toBe(false);
  });

  it("bounds reasons, summaries, error codes and messages", () => {
    const status = (reason: string) => ({ type: "session.status", status: "failed", reason });
    expect(AgentEvent.safeParse(status("r".repeat(2000))).success).toBe(true);
    expect(AgentEvent.safeParse(status("r".repeat(2001))).success).toBe(false);
    const end = (summary: string) => ({ type: "turn.end", status: "completed", summary });
    expect(AgentEvent.safeParse(end("s".repeat(20_000))).success).toBe(true);
    expect(AgentEvent.safeParse(end("s".repeat(20_001))).success).toBe(false);
    const error = (code: string, message = "m") => ({ type: "error", code, message });
    expect(AgentEvent.safeParse(error("c".repeat(101))).success).toBe(false);
    expect(AgentEvent.safeParse(error("c", "m".repeat(10_001))).success).toBe(false);
    const log = (source: string) => ({ type: "log", source, stream: "stdout", text: "" });
    expect(AgentEvent.safeParse(log("s".repeat(101))).success).toBe(false);
  });
});
