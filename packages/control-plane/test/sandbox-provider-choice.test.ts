/**
 * Provider choice per deployment, tenant and repository: the settings API (members read, owners
 * and admins edit, only providers this deployment can run, other tenants see nothing), the
 * resolution order at session creation (repository override → tenant default → SANDBOX_PROVIDER),
 * and the session keeping its provider: shown with it, used by its DO, its slot pool named after
 * it, and its sandbox terminated there even after the tenant's choice changed.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import {
  type AgentEvent,
  type ListAuditResponse,
  SandboxSettingsView,
  type Session,
} from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { createDaytonaApi } from "../../testkit/src/daytona/daytona-api";
import { createApp } from "../src/app";
import type { Bindings } from "../src/env";
import { sweepDaytonaSandboxes } from "../src/providers/daytona/daytona-sweep";
import { resolveSandboxProvider } from "../src/services/sandbox-settings";
import type { SessionAgent } from "../src/session/agent";
import { MetaStore, sqlMetaRows } from "../src/session/meta-store";
import { endSession, requestWith } from "./capacity";
import { githubTenant } from "./github-tenant";
import { api, createTenant, type Identity, joinTenant, sessionStub, waitFor } from "./helpers";
import { waitForLaunch } from "./sandbox-client";

const bindings = env as unknown as Bindings;

/** A deployment that can also run Daytona and Modal (configured, never called by these tests' Worker requests). */
const CLOUD_VARS: Partial<Bindings> = {
  DAYTONA_API_URL: "http://127.0.0.1:9/api",
  DAYTONA_API_KEY: "dtn_choice_key",
  DAYTONA_SNAPSHOT: "nightshift-sandbox",
  MODAL_APP_URL: "http://127.0.0.1:9",
  MODAL_PROXY_TOKEN_ID: "wk-choice",
  MODAL_PROXY_TOKEN_SECRET: "ws-choice",
};

function putSandbox(who: Identity, body: unknown, vars: Partial<Bindings> = {}, tenantId = who.tenantId) {
  return createApp().request(
    `http://nightshift.test/api/v1/tenants/${tenantId}/settings/sandbox`,
    {
      method: "PUT",
      headers: { ...who.bearer, "content-type": "application/json" },
      body: JSON.stringify(body),
    },
    { ...bindings, ...vars },
  );
}

async function readSandbox(who: Identity, vars: Partial<Bindings> = {}, tenantId = who.tenantId) {
  return requestWith(vars, who, `/api/v1/tenants/${tenantId}/settings/sandbox`);
}

function metaOf(session: Session) {
  return runInDurableObject(sessionStub(session.id), (_a: SessionAgent, state) => {
    const meta = new MetaStore(sqlMetaRows(state.storage.sql));
    return { session: meta.get("session.meta"), providerId: meta.get("sandbox.provider_id") };
  });
}

async function eventsOf(session: Session, who: Identity): Promise<AgentEvent[]> {
  const res = await api(`/api/v1/sessions/${session.id}/events?after=0&limit=500`, {}, who);
  const page = (await res.json()) as { events: { event: AgentEvent }[] };
  return page.events.map((e) => e.event);
}

describe("sandbox provider settings", () => {
  it("members read what the deployment can run and its default; nothing chosen means the deployment's", async () => {
    const owner = await createTenant("sbx-read");
    const member = await joinTenant(owner, "member");
    const res = await readSandbox(member);
    expect(res.status).toBe(200);
    expect(SandboxSettingsView.parse(await res.json())).toEqual({
      settings: { repositories: {} },
      available: ["local"],
      deploymentDefault: "local",
      updatedAt: null,
    });
    const cloud = SandboxSettingsView.parse(
      await (await readSandbox(member, { ...CLOUD_VARS, SANDBOX_PROVIDER: "modal" })).json(),
    );
    expect(cloud.available).toEqual(["local", "daytona", "modal"]);
    expect(cloud.deploymentDefault).toBe("modal");
  });

  it("refuses a provider the deployment cannot run with 400 naming the ones it can", async () => {
    const owner = await createTenant("sbx-unavailable");
    const res = await putSandbox(owner, { provider: "daytona" });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("invalid_request");
    expect(body.error.message).toMatch(/cannot run the sandbox provider daytona; it can run: local/);
    const override = await putSandbox(owner, { repositories: { "github:acme/app": "modal" } });
    expect(override.status).toBe(400);
    expect(((await override.json()) as { error: { message: string } }).error.message).toMatch(/modal/);
    for (const bad of [{ provider: "lambda" }, { repositories: { "not a repo": "local" } }, { extra: 1 }]) {
      expect((await putSandbox(owner, bad)).status, JSON.stringify(bad)).toBe(400);
    }
    // A local repository's files are on the sandbox host: only the local provider can run it.
    const local = await putSandbox(owner, { repositories: { "local:demo": "daytona" } }, CLOUD_VARS);
    expect(local.status).toBe(400);
    const after = SandboxSettingsView.parse(await (await readSandbox(owner)).json());
    expect(after.settings).toEqual({ repositories: {} });
  });

  it("a member cannot edit the settings, an admin can, and every change is audited", async () => {
    const owner = await createTenant("sbx-roles");
    const admin = await joinTenant(owner, "admin");
    const member = await joinTenant(owner, "member");
    expect((await putSandbox(member, { provider: "local" })).status).toBe(403);
    const set = await putSandbox(
      admin,
      { provider: "daytona", repositories: { "github:acme/app": "modal" } },
      CLOUD_VARS,
    );
    expect(set.status).toBe(200);
    const view = SandboxSettingsView.parse(await set.json());
    expect(view.settings).toEqual({ provider: "daytona", repositories: { "github:acme/app": "modal" } });
    expect(view.updatedAt).not.toBeNull();
    const read = SandboxSettingsView.parse(await (await readSandbox(member)).json());
    expect(read.settings.provider).toBe("daytona");
    const audit = (await (
      await api(`/api/v1/tenants/${owner.tenantId}/audit?action=settings.sandbox_changed`, {}, owner)
    ).json()) as ListAuditResponse;
    expect(audit.entries).toHaveLength(1);
    expect(audit.entries[0]?.detail).toMatchObject({
      provider: "daytona",
      repositories: "github:acme/app=modal",
    });
  });

  it("a foreign tenant neither sees nor edits another tenant's sandbox settings", async () => {
    const owner = await createTenant("sbx-owner");
    expect((await putSandbox(owner, { provider: "modal" }, CLOUD_VARS)).status).toBe(200);
    const stranger = await createTenant("sbx-stranger");
    expect((await readSandbox(stranger, {}, owner.tenantId)).status).toBe(404);
    expect((await putSandbox(stranger, { provider: "local" }, {}, owner.tenantId)).status).toBe(404);
    const own = SandboxSettingsView.parse(await (await readSandbox(stranger)).json());
    expect(own.settings).toEqual({ repositories: {} });
    const still = SandboxSettingsView.parse(await (await readSandbox(owner)).json());
    expect(still.settings.provider).toBe("modal");
  });
});

describe("which provider a new session runs on", () => {
  it("resolves repository override, then tenant default, then SANDBOX_PROVIDER", async () => {
    const owner = await createTenant("sbx-order");
    const cloud = { ...bindings, ...CLOUD_VARS } as Bindings;
    const widgets = { kind: "github", owner: "Acme", name: "Widgets" } as const;
    const gadgets = { kind: "github", owner: "acme", name: "gadgets" } as const;
    expect(await resolveSandboxProvider(cloud, owner.tenantId, widgets)).toBe("local");
    expect(
      await resolveSandboxProvider({ ...cloud, SANDBOX_PROVIDER: "modal" }, owner.tenantId, widgets),
    ).toBe("modal");
    await putSandbox(owner, { provider: "modal" }, CLOUD_VARS);
    expect(await resolveSandboxProvider(cloud, owner.tenantId, widgets)).toBe("modal");
    await putSandbox(
      owner,
      { provider: "modal", repositories: { "github:acme/widgets": "daytona" } },
      CLOUD_VARS,
    );
    expect(await resolveSandboxProvider(cloud, owner.tenantId, widgets)).toBe("daytona");
    expect(await resolveSandboxProvider(cloud, owner.tenantId, gadgets)).toBe("modal");
    expect(await resolveSandboxProvider(cloud, owner.tenantId, { kind: "local", path: "demo" })).toBe(
      "local",
    );
    // A provider the tenant chose that this deployment can no longer run fails, named, instead of
    // silently running the tenant's code somewhere else.
    await expect(resolveSandboxProvider(bindings, owner.tenantId, gadgets)).rejects.toThrow(
      /choose modal as the tenant default, which this deployment cannot run \(it can run: local\)/,
    );
  });

  it("the session records its provider, shows it with its isolation, and its DO and slot pool use it", async () => {
    const owner = await githubTenant();
    expect(
      (await putSandbox(owner, { repositories: { "github:acme/gadgets": "daytona" } }, CLOUD_VARS)).status,
    ).toBe(200);
    const res = await requestWith(CLOUD_VARS, owner, "/api/v1/sessions", {
      repo: { kind: "github", owner: "acme", name: "gadgets" },
      prompt: "Runs on Daytona",
    });
    expect(res.status).toBe(201);
    const session = (await res.json()) as Session;
    expect(session.sandbox).toEqual({ provider: "daytona", isolation: null });
    const { session: meta } = await metaOf(session);
    expect(meta?.sandboxProvider).toBe("daytona");
    expect(meta?.slots?.pool).toBe("daytona");
    // The DO asks Daytona (the session DOs' Daytona double, see vitest.config.ts), not the local host.
    const started = await waitFor("the launch on Daytona", async () =>
      (await eventsOf(session, owner)).find((e) => e.type === "log" && /sandbox started/.test(e.text)),
    );
    expect(started.type === "log" && started.text).toMatch(/isolation: daytona \(container\)/);
    const listed = (await (await api("/api/v1/sessions", {}, owner)).json()) as { sessions: Session[] };
    expect(listed.sessions.find((s) => s.id === session.id)?.sandbox?.provider).toBe("daytona");
  });

  it("a local session shows the local provider and, once started, its sandbox's isolation", async () => {
    const owner = await createTenant("sbx-shown");
    const res = await requestWith({}, owner, "/api/v1/sessions", {
      repo: { kind: "local", path: "demo" },
      prompt: "Shown",
    });
    const session = (await res.json()) as Session;
    expect(session.sandbox).toEqual({ provider: "local", isolation: null });
    await waitForLaunch(session);
    const shown = await waitFor("the isolation in the session view", async () => {
      const view = (await (await api(`/api/v1/sessions/${session.id}`, {}, owner)).json()) as Session;
      return view.sandbox?.isolation ? view.sandbox : null;
    });
    // The recording host reports the no-bubblewrap fallback, which local mode accepts.
    expect(shown).toEqual({ provider: "local", isolation: "process", start: "cold" });
  });

  it("terminate goes to the session's provider even after the tenant default changed", async () => {
    const owner = await githubTenant();
    expect((await putSandbox(owner, { provider: "local" }, CLOUD_VARS)).status).toBe(200);
    const res = await requestWith(CLOUD_VARS, owner, "/api/v1/sessions", {
      repo: { kind: "github", owner: "acme", name: "widgets" },
      prompt: "Started on the local host",
    });
    const session = (await res.json()) as Session;
    expect(session.sandbox?.provider).toBe("local");
    await waitForLaunch(session);
    // The tenant moves to Daytona (which this DO's env could not even reach) while the sandbox runs.
    expect((await putSandbox(owner, { provider: "daytona" }, CLOUD_VARS)).status).toBe(200);
    await endSession(session, owner);
    expect((await metaOf(session)).providerId).toBeNull();
    const logs = (await eventsOf(session, owner)).filter((e) => e.type === "log").map((e) => e.text);
    expect(logs.join("")).not.toMatch(/could not terminate the sandbox/);
    const view = (await (await api(`/api/v1/sessions/${session.id}`, {}, owner)).json()) as Session;
    expect(view.sandbox?.provider).toBe("local");
  });

  it("the cron sweeps a provider tenants chose even when the deployment's default is another", async () => {
    const key = "dtn_choice_sweep";
    const daytona = createDaytonaApi({ apiKey: key, runtime: "none" });
    const fetchDouble = ((input: Request | string | URL, init?: RequestInit) =>
      daytona.fetch(new Request(input, init))) as typeof fetch;
    const localDefault = {
      ...bindings,
      DAYTONA_API_URL: "http://127.0.0.1:3986/api",
      DAYTONA_API_KEY: key,
      DAYTONA_SNAPSHOT: "nightshift-sandbox",
    } as Bindings;
    expect(await sweepDaytonaSandboxes(localDefault, Date.now(), fetchDouble)).toMatchObject({ errors: 0 });
    expect(await sweepDaytonaSandboxes(bindings, Date.now(), fetchDouble)).toBeNull();
  });
});
