/**
 * Choosing a session's agent and model in workerd with real D1: GET /api/v1/agents (what the
 * deployment's SANDBOX_AGENTS lets it run, the tenant's default marked), the create-time refusal
 * of an agent it cannot run (400 agent_unavailable naming the ones it can, for the API and the
 * GitHub triggers alike), and the tenant's defaults (members read, admins write, audited, other
 * tenants see and get none of them) applied to sessions that name no agent or model.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import {
  AgentDefaultsView,
  BootstrapResponse,
  ErrorBody,
  ListAgentsResponse,
  type ListAuditResponse,
  type ListSessionsResponse,
  type Session,
} from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import type { Bindings } from "../src/env";
import { mintBootstrapToken } from "../src/sandbox-auth/bootstrap-token";
import type { SessionAgent } from "../src/session/agent";
import { MetaStore, sqlMetaRows } from "../src/session/meta-store";
import { githubTenant, INSTALLATION_ID } from "./github-tenant";
import { api, createTenant, type Identity, joinTenant, sessionStub, waitFor } from "./helpers";
import { TEST_SANDBOX_SECRET, useIncarnation } from "./sandbox-client";
import { deliverSigned, repositoryJson, userJson } from "./webhook-fixtures";

const bindings = env as unknown as Bindings;

async function call(
  who: Identity,
  path: string,
  init: { method?: string; body?: unknown } = {},
  vars: Partial<Bindings> = {},
): Promise<Response> {
  return await createApp().request(
    `http://nightshift.test${path}`,
    {
      method: init.method ?? "GET",
      headers: { ...who.bearer, "content-type": "application/json" },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    },
    { ...bindings, ...vars },
  );
}

const listAgents = (who: Identity, vars: Partial<Bindings> = {}) => call(who, "/api/v1/agents", {}, vars);
const readDefaults = (who: Identity, tenantId = who.tenantId) =>
  call(who, `/api/v1/tenants/${tenantId}/settings/agents`);
const putDefaults = (who: Identity, body: unknown, vars: Partial<Bindings> = {}, tenantId = who.tenantId) =>
  call(who, `/api/v1/tenants/${tenantId}/settings/agents`, { method: "PUT", body }, vars);
const create = (who: Identity, extra: Record<string, unknown> = {}, vars: Partial<Bindings> = {}) =>
  call(
    who,
    "/api/v1/sessions",
    { method: "POST", body: { repo: { kind: "local", path: "demo" }, prompt: "choose", ...extra } },
    vars,
  );

async function created(res: Response): Promise<Session> {
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as Session;
}

async function sessionsOf(who: Identity): Promise<Session[]> {
  const res = await api("/api/v1/sessions?limit=100", {}, who);
  return ((await res.json()) as ListSessionsResponse).sessions;
}

/** What the runtime is told to run, through the bootstrap exchange of the session's sandbox. */
async function runtimeEnvOf(session: Session) {
  const incarnation = `01jchoice.${crypto.randomUUID()}`;
  await useIncarnation(session, incarnation);
  const { token } = await mintBootstrapToken(
    TEST_SANDBOX_SECRET,
    {
      sessionId: session.id,
      tenantId: session.tenantId,
      incarnation,
      jti: crypto.randomUUID(),
    },
    Date.now(),
  );
  const res = await api(
    "/sandbox/bootstrap",
    { method: "POST", headers: { authorization: `Bearer ${token}` } },
    null,
  );
  const { env: runtimeEnv } = BootstrapResponse.parse(await res.json());
  return { agent: runtimeEnv.NIGHTSHIFT_AGENT, model: runtimeEnv.NIGHTSHIFT_MODEL };
}

/** What the session's DO keeps (and hands the runtime in the bootstrap exchange). */
function metaOf(session: Session) {
  return runInDurableObject(sessionStub(session.id), (_a: SessionAgent, state) => {
    const meta = new MetaStore(sqlMetaRows(state.storage.sql)).get("session.meta");
    return { agent: meta?.agent, model: meta?.model };
  });
}

describe("GET /api/v1/agents", () => {
  it("lists every catalog agent by default, with display name, models and APIs, the first as default", async () => {
    const owner = await createTenant("agents-all");
    const member = await joinTenant(owner, "member");
    const res = await listAgents(member);
    expect(res.status).toBe(200);
    const body = ListAgentsResponse.parse(await res.json());
    expect(body.agents.map((a) => a.agent)).toEqual(["claude-code", "codex", "opencode", "gemini", "pi"]);
    expect(body.defaultAgent).toBe("claude-code");
    expect(body.agents[0]).toEqual({
      agent: "claude-code",
      displayName: "Claude Code",
      providers: ["anthropic"],
      defaultModel: "claude-sonnet-4-5",
      models: ["claude-sonnet-4-5", "claude-opus-4-5", "claude-haiku-4-5"],
      isDefault: true,
    });
    expect(body.agents.filter((a) => a.isDefault)).toHaveLength(1);
    // Under the tenant's path too, as the dashboard asks.
    expect((await call(member, `/api/v1/tenants/${owner.tenantId}/agents`)).status).toBe(200);
    expect((await createApp().request("http://nightshift.test/api/v1/agents", {}, bindings)).status).toBe(
      401,
    );
  });

  it("lists only what SANDBOX_AGENTS names, in its order, its first the default", async () => {
    const owner = await createTenant("agents-some");
    const body = ListAgentsResponse.parse(
      await (await listAgents(owner, { SANDBOX_AGENTS: " gemini, codex,gemini " })).json(),
    );
    expect(body.agents.map((a) => a.agent)).toEqual(["gemini", "codex"]);
    expect(body.defaultAgent).toBe("gemini");
  });

  it("a SANDBOX_AGENTS naming an unknown agent answers 503 naming the setting, not a crash", async () => {
    const owner = await createTenant("agents-bad");
    const res = await listAgents(owner, { SANDBOX_AGENTS: "claude-code,cursor" });
    expect(res.status).toBe(503);
    const body = ErrorBody.parse(await res.json());
    expect(body.error.code).toBe("upstream_unavailable");
    expect(body.error.message).toMatch(/SANDBOX_AGENTS names "cursor", which Nightshift does not know/);
  });

  it("marks the tenant's default agent and shows its default model for each agent", async () => {
    const owner = await createTenant("agents-marked");
    expect((await putDefaults(owner, { agent: "pi", models: { codex: "gpt-5-mini" } })).status).toBe(200);
    const body = ListAgentsResponse.parse(await (await listAgents(owner)).json());
    expect(body.defaultAgent).toBe("pi");
    const codex = body.agents.find((a) => a.agent === "codex");
    expect(codex?.defaultModel).toBe("gpt-5-mini");
    expect(codex?.models[0]).toBe("gpt-5-mini");
    expect(body.agents.find((a) => a.isDefault)?.agent).toBe("pi");
  });
});

describe("the create-time agent check", () => {
  it("a session for an agent the deployment cannot run is refused with 400 agent_unavailable naming what it can", async () => {
    const owner = await createTenant("agents-refused");
    const vars = { SANDBOX_AGENTS: "claude-code,codex" };
    const res = await create(owner, { agent: "pi", model: "claude-sonnet-4-5" }, vars);
    expect(res.status).toBe(400);
    const body = ErrorBody.parse(await res.json());
    expect(body.error.code).toBe("agent_unavailable");
    expect(body.error.message).toBe(
      "this deployment cannot run the agent pi; it can run: claude-code (Claude Code), codex (Codex)",
    );
    // Refused before anything was written: no session, no DO.
    expect(await sessionsOf(owner)).toEqual([]);
    expect((await create(owner, { agent: "codex" }, vars)).status).toBe(201);
  });

  it("a tenant default the deployment no longer runs fails the create, named, instead of swapping agents", async () => {
    const owner = await createTenant("agents-dropped");
    expect((await putDefaults(owner, { agent: "opencode", models: {} })).status).toBe(200);
    const res = await create(owner, {}, { SANDBOX_AGENTS: "claude-code" });
    expect(res.status).toBe(400);
    const body = ErrorBody.parse(await res.json());
    expect(body.error.code).toBe("agent_unavailable");
    expect(body.error.message).toMatch(/agent opencode \(the tenant's default agent; .*Settings → Agents\)/);
    expect(body.error.message).toMatch(/it can run: claude-code \(Claude Code\)$/);
  });
});

describe("tenant agent defaults", () => {
  it("a session naming no agent or model takes the tenant's defaults, then the catalog's, and keeps them", async () => {
    const owner = await createTenant("agents-defaults");
    const plain = await created(await create(owner));
    expect(plain).toMatchObject({ agent: "claude-code", model: "claude-sonnet-4-5" });

    const set = await putDefaults(owner, { agent: "codex", models: { codex: "gpt-5.6-sol" } });
    expect(set.status).toBe(200);
    const chosen = await created(await create(owner));
    expect(chosen).toMatchObject({ agent: "codex", model: "gpt-5.6-sol" });
    expect(await metaOf(chosen)).toEqual({ agent: "codex", model: "gpt-5.6-sol" });
    expect(await runtimeEnvOf(chosen)).toEqual({ agent: "codex", model: "gpt-5.6-sol" });
    const read = (await (await api(`/api/v1/sessions/${chosen.id}`, {}, owner)).json()) as Session;
    expect(read).toMatchObject({ agent: "codex", model: "gpt-5.6-sol" });

    // An agent named without a model: the tenant's model for it, else the catalog's.
    expect(await created(await create(owner, { agent: "gemini" }))).toMatchObject({
      agent: "gemini",
      model: "gemini-2.5-flash",
    });
    // What the request names wins over every default.
    expect(await created(await create(owner, { model: "gpt-5-mini" }))).toMatchObject({
      agent: "codex",
      model: "gpt-5-mini",
    });
  });

  it("members read the defaults; a member cannot write them (403); an admin can, audited", async () => {
    const owner = await createTenant("agents-roles");
    const admin = await joinTenant(owner, "admin");
    const member = await joinTenant(owner, "member");
    const empty = AgentDefaultsView.parse(await (await readDefaults(member)).json());
    expect(empty).toMatchObject({
      settings: { models: {} },
      deploymentDefault: "claude-code",
      updatedAt: null,
    });
    expect(empty.available).toHaveLength(5);

    const refused = await putDefaults(member, { agent: "gemini", models: {} });
    expect(refused.status).toBe(403);
    expect(AgentDefaultsView.parse(await (await readDefaults(member)).json()).settings.agent).toBeUndefined();

    const set = await putDefaults(admin, { agent: "gemini", models: { gemini: "gemini-2.5-pro" } });
    expect(set.status).toBe(200);
    const after = AgentDefaultsView.parse(await (await readDefaults(member)).json());
    expect(after.settings).toEqual({ agent: "gemini", models: { gemini: "gemini-2.5-pro" } });
    expect(after.updatedAt).not.toBeNull();
    const audit = (await (
      await api(`/api/v1/tenants/${owner.tenantId}/audit?action=settings.agents_changed`, {}, owner)
    ).json()) as ListAuditResponse;
    expect(audit.entries).toHaveLength(1);
    expect(audit.entries[0]?.detail).toMatchObject({ agent: "gemini", models: "gemini=gemini-2.5-pro" });
  });

  it("refuses a default agent the deployment cannot run, an unknown agent and a flag-like model", async () => {
    const owner = await createTenant("agents-bad-put");
    const unavailable = await putDefaults(owner, { agent: "pi", models: {} }, { SANDBOX_AGENTS: "codex" });
    expect(unavailable.status).toBe(400);
    const body = ErrorBody.parse(await unavailable.json());
    expect(body.error.code).toBe("agent_unavailable");
    expect(body.error.message).toMatch(/cannot run the agent pi; it can run: codex \(Codex\)/);
    for (const bad of [{ agent: "cursor" }, { models: { codex: "--yolo" } }, { agent: "pi", extra: 1 }]) {
      expect((await putDefaults(owner, bad)).status, JSON.stringify(bad)).toBe(400);
    }
    expect(AgentDefaultsView.parse(await (await readDefaults(owner)).json()).settings).toEqual({
      models: {},
    });
  });

  it("a foreign tenant's defaults are invisible to it, unwritable by it, and never applied to its sessions", async () => {
    const owner = await createTenant("agents-owner");
    expect(
      (await putDefaults(owner, { agent: "opencode", models: { opencode: "gemini-2.5-pro" } })).status,
    ).toBe(200);
    const stranger = await createTenant("agents-stranger");
    expect((await readDefaults(stranger, owner.tenantId)).status).toBe(404);
    expect((await putDefaults(stranger, { agent: "pi", models: {} }, {}, owner.tenantId)).status).toBe(404);
    expect(AgentDefaultsView.parse(await (await readDefaults(stranger)).json()).settings).toEqual({
      models: {},
    });
    expect(ListAgentsResponse.parse(await (await listAgents(stranger)).json()).defaultAgent).toBe(
      "claude-code",
    );
    expect(await created(await create(stranger))).toMatchObject({
      agent: "claude-code",
      model: "claude-sonnet-4-5",
    });
    expect(AgentDefaultsView.parse(await (await readDefaults(owner)).json()).settings.agent).toBe("opencode");
  });
});

describe("sessions the GitHub triggers start", () => {
  const doubleUrl = () => (env as unknown as { GITHUB_APP_WEB_URL: string }).GITHUB_APP_WEB_URL;

  it("a labelled issue's session runs on the tenant's default agent and model", async () => {
    const tenant = await githubTenant();
    expect(
      (await putDefaults(tenant, { agent: "gemini", models: { gemini: "gemini-2.5-pro" } })).status,
    ).toBe(200);
    const title = "Use the tenant's agent";
    const issue = await fetch(`${doubleUrl()}/_double/repos/acme/widgets/issues`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title, body: "", author: "octocat" }),
    });
    expect(issue.status).toBe(201);
    const { number } = (await issue.json()) as { number: number };
    const res = await deliverSigned("issues", {
      action: "labeled",
      issue: { number, title, body: "", state: "open", labels: [] },
      label: { id: 1, name: "agent" },
      repository: repositoryJson(9001, "acme", "widgets"),
      sender: userJson(583231, "octocat"),
      installation: { id: INSTALLATION_ID },
    });
    expect(res.status).toBe(202);
    const session = await waitFor("the issue's session", async () =>
      (await sessionsOf(tenant)).find((s) => s.title === title),
    );
    expect(session).toMatchObject({ trigger: "github", agent: "gemini", model: "gemini-2.5-pro" });
  });
});
