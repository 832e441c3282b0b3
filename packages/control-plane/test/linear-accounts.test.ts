/**
 * Who a Linear requester acts as, in workerd against the testkit Linear double: an unlinked
 * requester gets the one-time connect link in an `auth` elicitation addressed to them alone (and
 * no session), a matching email is not an identity, using the link binds them once (in that
 * tenant only) and resumes the delegation as them, and a member cannot stop or steer another
 * member's session from the agent panel.
 */
import { env } from "cloudflare:workers";
import type { Session } from "@nightshift/protocol";
import { beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/client";
import { findLinearUserLink } from "../src/db/repositories/linear";
import { githubTenant } from "./github-tenant";
import { api, createTenant, type Identity, joinTenant, postJson, waitFor } from "./helpers";
import {
  activitiesOf,
  createdPayload,
  deliverLinear,
  doubleOrganization,
  installLinear,
  linearSessions,
  linkRequester,
  newIssue,
  promptedPayload,
  REQUESTER_ID,
  recorded,
} from "./linear-support";

/** The email octocat's Nightshift account carries (GitHub's noreply address). */
const OCTOCAT_EMAIL = "583231+octocat@users.noreply.github.com";
let tenant: Identity;
let organizationId: string;

beforeAll(async () => {
  tenant = await githubTenant();
  expect(await installLinear(tenant)).toBe("/settings?linear=connected");
  organizationId = (await doubleOrganization()).organization.id;
  await linkRequester(tenant, organizationId, REQUESTER_ID);
});

async function delegateAs(requesterId: string, email?: string) {
  const issue = await newIssue({
    title: "Fix the typo",
    description: "Please fix the typo in acme/widgets.",
  });
  const payload = createdPayload({
    organizationId,
    issueId: issue.issueId,
    teamId: issue.teamId,
    requesterId,
  });
  if (email) (payload.agentSession as { creator: { email: string } }).creator.email = email;
  const agentSessionId = (payload.agentSession as { id: string }).id;
  expect((await deliverLinear(payload)).status).toBe(200);
  return { issue, agentSessionId };
}

const firstActivity = (agentSessionId: string) =>
  waitFor("the first activity", async () => (await activitiesOf(agentSessionId))[0], 10_000);

async function sessionOf(agentSessionId: string): Promise<Session> {
  return waitFor(
    "the session",
    async () => {
      const update = (await recorded()).sessionUpdates.find((u) => u.id === agentSessionId);
      const id = update?.input.addedExternalUrls?.[0]?.url.split("/").pop();
      return id ? (await linearSessions(tenant)).find((s) => s.id === id) : undefined;
    },
    10_000,
  );
}

function tokenIn(url: string | undefined): string {
  return new URL(url ?? "http://x").searchParams.get("token") ?? "";
}

describe("an unlinked Linear requester", () => {
  it("gets the connect link in an auth elicitation for them alone, none in its text, and nothing starts", async () => {
    const stranger = crypto.randomUUID();
    const before = (await linearSessions(tenant)).length;
    const { agentSessionId } = await delegateAs(stranger);
    const ask = await firstActivity(agentSessionId);
    expect(ask.content.type).toBe("elicitation");
    expect(ask.signal).toBe("auth");
    expect(ask.signalMetadata?.userId).toBe(stranger);
    expect(ask.signalMetadata?.url).toContain("/settings/linear/link?tenant=");
    // Linear mirrors the text as a comment everyone sees: whoever opened a link there would become them.
    expect(ask.content.body).not.toContain("token=");
    expect(ask.content.body).not.toContain("http");
    expect((await linearSessions(tenant)).length).toBe(before);
  });

  it("whose Linear email equals a member's starts nothing: an email is not an identity", async () => {
    const before = (await linearSessions(tenant)).length;
    const { agentSessionId } = await delegateAs(crypto.randomUUID(), OCTOCAT_EMAIL);
    const ask = await firstActivity(agentSessionId);
    expect(ask.signal).toBe("auth");
    expect((await activitiesOf(agentSessionId)).some((a) => a.content.type === "thought")).toBe(false);
    expect((await linearSessions(tenant)).length).toBe(before);
  });

  it("is bound once by the link, and their delegation then resumes as them", async () => {
    const newcomer = crypto.randomUUID();
    const { agentSessionId } = await delegateAs(newcomer);
    const token = tokenIn((await firstActivity(agentSessionId)).signalMetadata?.url);
    const path = `/api/v1/tenants/${tenant.tenantId}/linear/link`;
    const linked = await postJson(path, { token }, {}, tenant);
    expect(linked.status).toBe(200);
    expect(await linked.json()).toMatchObject({ organizationId, resumed: true });
    const db = openDatabase(env.DB);
    expect(await findLinearUserLink(db, tenant.tenantId, organizationId, newcomer)).toBe(tenant.userId);
    const session = await sessionOf(agentSessionId);
    expect(session.createdBy).toBe(tenant.userId);
    expect(session.repo).toMatchObject({ kind: "github", owner: "acme", name: "widgets" });
    const said = (await activitiesOf(agentSessionId)).map((a) => a.content.body ?? "");
    expect(said.some((b) => b.includes("now connected"))).toBe(true);
    expect((await postJson(path, { token }, {}, tenant)).status).toBe(409);
    // The dashboard links the session back to its issue, for this tenant only.
    const issueLink = await api(`/api/v1/sessions/${session.id}/linear-issue`, {}, tenant);
    expect(await issueLink.json()).toMatchObject({
      identifier: "GENT-774",
      url: "https://linear.app/iansinnott/issue/GENT-774/a-test-issue",
    });
    const stranger = await createTenant("linear-issue-stranger");
    expect((await api(`/api/v1/sessions/${session.id}/linear-issue`, {}, stranger)).status).toBe(404);
  });

  it("cannot be bound through a link in another tenant", async () => {
    const { agentSessionId } = await delegateAs(crypto.randomUUID());
    const token = tokenIn((await firstActivity(agentSessionId)).signalMetadata?.url);
    const other = await createTenant("other-linear");
    const res = await postJson(`/api/v1/tenants/${other.tenantId}/linear/link`, { token }, {}, other);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain("another");
  });
});

describe("the agent panel of someone else's session", () => {
  it("a member cannot stop or steer another member's Linear session from it", async () => {
    const { issue, agentSessionId } = await delegateAs(REQUESTER_ID);
    const session = await sessionOf(agentSessionId);
    const member = await joinTenant(tenant, "member");
    const memberLinearId = crypto.randomUUID();
    await linkRequester(member, organizationId, memberLinearId);
    const prompt = (body: string, signal?: string) =>
      deliverLinear(
        promptedPayload({
          organizationId,
          agentSessionId,
          issueId: issue.issueId,
          requesterId: memberLinearId,
          body,
          ...(signal ? { signal } : {}),
        }),
      );
    await prompt("and drop the tests");
    await prompt("", "stop");
    const errors = await waitFor(
      "two refusals",
      async () => {
        const e = (await activitiesOf(agentSessionId)).filter((a) => a.content.type === "error");
        return e.length === 2 ? e : null;
      },
      10_000,
    );
    expect(errors.map((e) => e.content.body)).toEqual(
      expect.arrayContaining([
        expect.stringContaining("can steer it"),
        expect.stringContaining("can stop it"),
      ]),
    );
    const now = (await (await api(`/api/v1/sessions/${session.id}`, {}, tenant)).json()) as Session;
    expect(["stopping", "stopped", "cancelled"]).not.toContain(now.status);
    const page = (await (await api(`/api/v1/sessions/${session.id}/events`, {}, tenant)).json()) as {
      events: { event: { type: string } }[];
    };
    expect(page.events.filter((e) => e.event.type === "prompt")).toHaveLength(1);
  });
});
