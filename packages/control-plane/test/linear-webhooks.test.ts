/**
 * Linear in workerd, against the testkit Linear double over loopback: installing per tenant, the
 * signed ingress (bad or stale signature, replay, unknown organization, malformed), an agent
 * session that starts a Nightshift session with its first thought (as the member the requester
 * linked; linking itself is linear-accounts.test.ts), a missing repository, a follow-up, a stop,
 * and a foreign tenant's organization.
 */
import type { Session } from "@nightshift/protocol";
import { beforeAll, describe, expect, it } from "vitest";
import { githubTenant } from "./github-tenant";
import { api, createTenant, type Identity, waitFor } from "./helpers";
import {
  activitiesOf,
  createdPayload,
  deliverLinear,
  doubleOrganization,
  installLinear,
  issueState,
  linearSessions,
  linearUrl,
  linkRequester,
  newIssue,
  promptedPayload,
  REQUESTER_ID,
  recorded,
} from "./linear-support";

let tenant: Identity;
let organizationId: string;

beforeAll(async () => {
  tenant = await githubTenant();
  expect(await installLinear(tenant)).toBe("/settings?linear=connected");
  organizationId = (await doubleOrganization()).organization.id;
  await linkRequester(tenant, organizationId, REQUESTER_ID);
});

async function delegate(input: { description?: string; requesterId?: string; comment?: boolean } = {}) {
  const issue = await newIssue();
  const payload = createdPayload({ organizationId, issueId: issue.issueId, teamId: issue.teamId, ...input });
  const agentSessionId = (payload.agentSession as { id: string }).id;
  return { issue, payload, agentSessionId };
}

async function sessionFor(agentSessionId: string): Promise<Session> {
  return waitFor(
    "linear",
    async () => {
      const sessions = await linearSessions(tenant);
      const mine = await activitiesOf(agentSessionId);
      const url =
        mine.length > 0 ? (await recorded()).sessionUpdates.find((u) => u.id === agentSessionId) : null;
      const id = url?.input.addedExternalUrls?.[0]?.url.split("/").pop();
      return sessions.find((s) => s.id === id);
    },
    10_000,
  );
}

describe("installing Linear", () => {
  it("shows the organization as connected with the app's identity", async () => {
    const res = await api(`/api/v1/tenants/${tenant.tenantId}/linear`, {}, tenant);
    const body = (await res.json()) as { connected: boolean; organization: { id: string } };
    expect(body.connected).toBe(true);
    expect(body.organization.id).toBe(organizationId);
  });

  it("asks Linear to install the app as itself with the two app scopes", async () => {
    const res = await api(`/api/v1/tenants/${tenant.tenantId}/linear/connect`, { method: "POST" }, tenant);
    const url = new URL(((await res.json()) as { url: string }).url);
    expect(url.searchParams.get("actor")).toBe("app");
    expect(url.searchParams.get("scope")?.split(",")).toEqual(
      expect.arrayContaining(["app:assignable", "app:mentionable"]),
    );
  });

  it("install finished in another user's browser is refused (a stranger's link cannot bind a workspace)", async () => {
    const other = await createTenant("stranger");
    const outcome = await installLinear(other, tenant.userId);
    expect(decodeURIComponent(outcome)).toContain(
      "sign in to Nightshift as the user who started connecting Linear",
    );
    const res = await api(`/api/v1/tenants/${other.tenantId}/linear`, {}, other);
    expect(((await res.json()) as { connected: boolean }).connected).toBe(false);
  });

  it("a foreign tenant cannot connect an organization another tenant holds, and its deliveries route only there", async () => {
    const other = await createTenant("foreign");
    const outcome = await installLinear(other);
    expect(decodeURIComponent(outcome)).toContain("already connected to another Nightshift tenant");
    // A delivery from the organization, asked by the foreign tenant's owner, never starts a session there.
    const { payload, agentSessionId } = await delegate({ requesterId: crypto.randomUUID() });
    expect((await deliverLinear(payload)).status).toBe(200);
    const ask = await waitFor("linear", async () => (await activitiesOf(agentSessionId))[0], 10_000);
    // An unknown requester is offered a link into the tenant that holds the organization, never another.
    expect(ask.signal).toBe("auth");
    expect(ask.signalMetadata?.url).toContain(`tenant=${encodeURIComponent(tenant.tenantId)}`);
    expect(await linearSessions(other)).toEqual([]);
  });

  it("only admins may connect or map teams", async () => {
    const { joinTenant } = await import("./helpers");
    const member = await joinTenant(tenant, "member");
    const res = await api(`/api/v1/tenants/${tenant.tenantId}/linear/connect`, { method: "POST" }, member);
    expect(res.status).toBe(403);
  });
});

describe("the organization's tokens", () => {
  it("are refreshed once when Linear refuses the access token, and the activity still arrives", async () => {
    await fetch(`${linearUrl()}/_double/expire-tokens`, { method: "POST" });
    const refreshesBefore = (await recorded()).tokenGrants.filter(
      (g) => g.grantType === "refresh_token",
    ).length;
    const { payload, agentSessionId } = await delegate({ description: "The login page is slow." });
    await deliverLinear(payload);
    const ask = await waitFor("the elicitation", async () => (await activitiesOf(agentSessionId))[0], 10_000);
    expect(ask.content.type).toBe("elicitation");
    const refreshes = (await recorded()).tokenGrants.filter((g) => g.grantType === "refresh_token").length;
    expect(refreshes).toBe(refreshesBefore + 1);
  });
});

describe("POST /webhooks/linear", () => {
  it("refuses a bad signature with 401", async () => {
    const { payload } = await delegate();
    const res = await deliverLinear(payload, { signature: "0".repeat(64) });
    expect(res.status).toBe(401);
  });

  it("refuses a stale webhookTimestamp (a replay after a minute) with 401", async () => {
    const { payload, agentSessionId } = await delegate();
    const res = await deliverLinear(payload, { timestamp: Date.now() - 120_000 });
    expect(res.status).toBe(401);
    expect(await activitiesOf(agentSessionId)).toEqual([]);
  });

  it("answers a malformed delivery 400 naming the field", async () => {
    const { payload } = await delegate();
    const { agentSession: _gone, ...broken } = payload;
    const res = await deliverLinear(broken);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain("agentSession");
  });

  it("answers an unknown organization 200 and starts nothing", async () => {
    const { payload, agentSessionId } = await delegate();
    const res = await deliverLinear({ ...payload, organizationId: crypto.randomUUID() });
    expect(res.status).toBe(200);
    // The same delivery to the connected organization would post within a second; give it three.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await activitiesOf(agentSessionId)).toEqual([]);
  });

  it("a replayed delivery is answered 200 and starts one session, not two", async () => {
    const { payload, agentSessionId } = await delegate();
    const deliveryId = crypto.randomUUID();
    expect((await deliverLinear(payload, { deliveryId })).status).toBe(200);
    const second = await deliverLinear(payload, { deliveryId });
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({ duplicate: true });
    await sessionFor(agentSessionId);
    const thoughts = (await activitiesOf(agentSessionId)).filter((a) => a.content.type === "thought");
    expect(thoughts).toHaveLength(1);
  });
});

describe("an agent session created in Linear", () => {
  it("starts a linear session, posts its first thought within 10 s and moves the delegated issue to started", async () => {
    const { issue, payload, agentSessionId } = await delegate();
    const sent = Date.now();
    expect((await deliverLinear(payload)).status).toBe(200);
    const thought = await waitFor(
      "linear",
      async () => (await activitiesOf(agentSessionId)).find((a) => a.content.type === "thought"),
      10_000,
    );
    expect(Date.now() - sent).toBeLessThan(10_000);
    expect(thought.content.body).toContain("acme/widgets");
    const session = await sessionFor(agentSessionId);
    expect(session.trigger).toBe("linear");
    expect(session.repo).toMatchObject({ kind: "github", owner: "acme", name: "widgets" });
    await waitFor(
      "linear",
      async () => ((await issueState(issue.issueId))?.type === "started" ? true : undefined),
      10_000,
    );
    // The first started state by position ("In Progress", position 2), not the first listed.
    expect((await issueState(issue.issueId))?.name).toBe("In Progress");
  });

  it("leaves the issue's state alone when the app was only mentioned in a comment", async () => {
    const { issue, payload, agentSessionId } = await delegate({ comment: true });
    await deliverLinear(payload);
    await sessionFor(agentSessionId);
    expect((await issueState(issue.issueId))?.type).toBe("backlog");
  });

  it("asks which repository with an elicitation when neither a team mapping nor the issue names one", async () => {
    const { payload, agentSessionId } = await delegate({ description: "The login page is slow." });
    await deliverLinear(payload);
    const ask = await waitFor("linear", async () => (await activitiesOf(agentSessionId))[0], 10_000);
    expect(ask.content.type).toBe("elicitation");
    expect(ask.content.body).toContain("owner/repo");
  });

  it("starts the issue's session in the repository named in the reply to its question", async () => {
    const issue = await newIssue({ title: "Speed up the login page", description: "It takes 4 s." });
    const payload = createdPayload({
      organizationId,
      issueId: issue.issueId,
      teamId: issue.teamId,
      description: "It takes 4 s.",
    });
    const agentSessionId = (payload.agentSession as { id: string }).id;
    await deliverLinear(payload);
    await waitFor("the question", async () => (await activitiesOf(agentSessionId))[0], 10_000);
    await deliverLinear(
      promptedPayload({
        organizationId,
        agentSessionId,
        issueId: issue.issueId,
        body: "acme/widgets",
      }),
    );
    const session = await sessionFor(agentSessionId);
    expect(session.repo).toMatchObject({ owner: "acme", name: "widgets" });
    const res = await api(`/api/v1/sessions/${session.id}/events?limit=200`, {}, tenant);
    const page = (await res.json()) as { events: { event: { type: string; text?: string } }[] };
    const prompt = page.events.find((e) => e.event.type === "prompt")?.event.text ?? "";
    expect(prompt).toContain("Speed up the login page");
    expect(prompt).toContain("It takes 4 s.");
  });

  it("uses the team's repository from Settings over the issue text", async () => {
    const { issue, payload, agentSessionId } = await delegate({ description: "The login page is slow." });
    const put = await api(
      `/api/v1/tenants/${tenant.tenantId}/linear/teams/${issue.teamId}`,
      {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ repository: "acme/gadgets" }),
      },
      tenant,
    );
    expect(put.status).toBe(200);
    await deliverLinear(payload);
    const session = await sessionFor(agentSessionId);
    expect(session.repo).toMatchObject({ owner: "acme", name: "gadgets" });
  });

  it("passes a prompted activity to the session as a follow-up", async () => {
    const { issue, payload, agentSessionId } = await delegate();
    await deliverLinear(payload);
    const session = await sessionFor(agentSessionId);
    await deliverLinear(
      promptedPayload({
        organizationId,
        agentSessionId,
        issueId: issue.issueId,
        body: "also fix the footer",
      }),
    );
    await waitFor(
      "linear",
      async () => {
        const res = await api(`/api/v1/sessions/${session.id}/events?limit=200`, {}, tenant);
        const page = (await res.json()) as { events: { event: { type: string; text?: string } }[] };
        return page.events.find((e) => e.event.type === "prompt" && e.event.text === "also fix the footer");
      },
      10_000,
    );
  });

  it("stops the session on a prompted activity with the stop signal", async () => {
    const { issue, payload, agentSessionId } = await delegate();
    await deliverLinear(payload);
    const session = await sessionFor(agentSessionId);
    await deliverLinear(
      promptedPayload({
        organizationId,
        agentSessionId,
        issueId: issue.issueId,
        body: "",
        signal: "stop",
      }),
    );
    await waitFor(
      "linear",
      async () => {
        const res = await api(`/api/v1/sessions/${session.id}`, {}, tenant);
        const status = ((await res.json()) as Session).status;
        return ["cancelled", "stopping", "stopped"].includes(status) ? status : undefined;
      },
      10_000,
    );
    const said = await waitFor(
      "linear",
      async () => (await activitiesOf(agentSessionId)).find((a) => a.content.type === "response"),
      10_000,
    );
    expect(said.content.body).toContain("Stopped");
  });
});
