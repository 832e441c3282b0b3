/**
 * Installing Slack for a tenant in workerd, against the Slack double: the admin's authorize URL
 * with a signed state, Slack's redirect finished only by the browser of the user who started it,
 * the bot token sealed in D1, one workspace → one tenant (a second tenant is refused in words),
 * uninstall from Settings, and Slack's tokens_revoked / app_uninstalled unlinking it.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { SlackConnection } from "../src/integrations/slack/install";
import { api, createTenant, type Identity, waitFor } from "./helpers";
import { browserHeaders } from "./identities";
import { deliverSlack, mention, newWorkspace, type Workspace } from "./slack-fixture";

const slackUrl = () => (env as unknown as { SLACK_WEB_URL: string }).SLACK_WEB_URL;

async function connection(as: Identity): Promise<SlackConnection> {
  const res = await api(`/api/v1/tenants/${as.tenantId}/slack`, {}, as);
  expect(res.status).toBe(200);
  return (await res.json()) as SlackConnection;
}

async function authorizeUrl(as: Identity): Promise<URL> {
  const res = await api(`/api/v1/tenants/${as.tenantId}/slack/connect`, { method: "POST" }, as);
  expect(res.status).toBe(200);
  return new URL(((await res.json()) as { url: string }).url);
}

async function codeFor(workspace: Workspace): Promise<string> {
  const res = await fetch(`${slackUrl()}/_double/oauth-codes`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ teamId: workspace.teamId }),
  });
  return ((await res.json()) as { code: string }).code;
}

/** Slack's redirect back, in the browser of `as` (or of nobody); returns the settings outcome. */
async function finish(state: string, code: string, as: Identity | null) {
  const headers = as ? await browserHeaders(as.userId) : {};
  const res = await api(
    `/auth/slack/callback?${new URLSearchParams({ code, state })}`,
    { headers, redirect: "manual" },
    null,
  );
  if (res.status !== 302) throw new Error(`${res.status} ${await res.text()}`);
  const to = new URL(res.headers.get("location") ?? "", "http://nightshift.test");
  return { slack: to.searchParams.get("slack"), message: to.searchParams.get("message") ?? "" };
}

describe("Slack install", () => {
  it("installs a workspace for the tenant from Settings with least-privilege scopes and a sealed token", async () => {
    const owner = await createTenant("slack-install");
    const workspace = await newWorkspace();
    expect(await connection(owner)).toMatchObject({ configured: true, connected: false });
    const url = await authorizeUrl(owner);
    expect(url.pathname).toBe("/oauth/v2/authorize");
    expect(url.searchParams.get("scope")).toBe("app_mentions:read,chat:write,im:history");
    expect(url.searchParams.get("redirect_uri")).toMatch(/\/auth\/slack\/callback$/);
    const outcome = await finish(url.searchParams.get("state") ?? "", await codeFor(workspace), owner);
    expect(outcome).toEqual({ slack: "connected", message: "" });
    expect(await connection(owner)).toMatchObject({ connected: true, workspace: { id: workspace.teamId } });
    const row = await env.DB.prepare("SELECT bot_token FROM slack_installations WHERE team_id = ?")
      .bind(workspace.teamId)
      .first<{ bot_token: string }>();
    expect(row?.bot_token).toBeTruthy();
    expect(row?.bot_token).not.toContain(workspace.botToken);
  });

  it("refuses to finish an install in the browser of someone other than who started it (login CSRF)", async () => {
    const owner = await createTenant("slack-csrf");
    const stranger = await createTenant("slack-stranger");
    const workspace = await newWorkspace();
    const state = (await authorizeUrl(owner)).searchParams.get("state") ?? "";
    expect((await finish(state, await codeFor(workspace), stranger)).slack).toBe("error");
    expect((await finish(state, await codeFor(workspace), null)).slack).toBe("error");
    expect((await finish("forged.state.value", await codeFor(workspace), owner)).slack).toBe("error");
    expect((await connection(owner)).connected).toBe(false);
  });

  it("refuses a second tenant claiming a workspace another tenant installed, in words", async () => {
    const first = await createTenant("slack-first");
    const second = await createTenant("slack-second");
    const workspace = await newWorkspace();
    const s1 = (await authorizeUrl(first)).searchParams.get("state") ?? "";
    expect((await finish(s1, await codeFor(workspace), first)).slack).toBe("connected");
    const s2 = (await authorizeUrl(second)).searchParams.get("state") ?? "";
    const refused = await finish(s2, await codeFor(workspace), second);
    expect(refused.slack).toBe("error");
    expect(refused.message).toMatch(/already connected to another Nightshift tenant/);
    expect((await connection(second)).connected).toBe(false);
    expect((await connection(first)).workspace?.id).toBe(workspace.teamId);
  });

  it("uninstalls from Settings, and Slack's tokens_revoked unlinks the workspace", async () => {
    const owner = await createTenant("slack-uninstall");
    const workspace = await newWorkspace();
    const state = (await authorizeUrl(owner)).searchParams.get("state") ?? "";
    await finish(state, await codeFor(workspace), owner);
    const del = await api(`/api/v1/tenants/${owner.tenantId}/slack`, { method: "DELETE" }, owner);
    expect(del.status).toBe(204);
    expect((await connection(owner)).connected).toBe(false);
    const again = (await authorizeUrl(owner)).searchParams.get("state") ?? "";
    await finish(again, await codeFor(workspace), owner);
    const revoked = mention(workspace, { user: "U0ANY", text: "x" }) as { event: Record<string, unknown> };
    revoked.event = { type: "tokens_revoked", tokens: { bot: [workspace.botUserId] } };
    expect((await deliverSlack(revoked)).status).toBe(200);
    await waitFor("the workspace to be unlinked", async () =>
      (await connection(owner)).connected ? null : true,
    );
  });

  it("lets members read the connection but not install, uninstall or set channel defaults", async () => {
    const owner = await createTenant("slack-roles");
    const { joinTenant } = await import("./identities");
    const member = await joinTenant(owner, "member");
    expect((await api(`/api/v1/tenants/${owner.tenantId}/slack`, {}, member)).status).toBe(200);
    expect(
      (await api(`/api/v1/tenants/${owner.tenantId}/slack/connect`, { method: "POST" }, member)).status,
    ).toBe(403);
    expect((await api(`/api/v1/tenants/${owner.tenantId}/slack`, { method: "DELETE" }, member)).status).toBe(
      403,
    );
    const put = await api(
      `/api/v1/tenants/${owner.tenantId}/slack/channels/C0123`,
      {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ repository: "acme/web" }),
      },
      member,
    );
    expect(put.status).toBe(403);
  });
});
