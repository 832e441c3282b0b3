/**
 * The Linear tenant the activity bench delivers to, built the way a user builds it: the owner signs
 * in with GitHub and connects the installation, installs the Linear app through Linear's OAuth
 * redirect, maps the team to the repository, and links their Linear account with the one-time link
 * the first delegation answers with. Also the delegation and follow-up payloads, shaped like the
 * recorded deliveries the control plane's router tests use.
 */
import { readFileSync } from "node:fs";
import type { GithubTenant, RecordedStack } from "@nightshift/devstack";
import type { LinearDouble } from "@nightshift/testkit/linear";
import { sendLinearWebhook } from "@nightshift/testkit/linear";
import { waitFor } from "@nightshift/testkit/wait-for";

type Payload = Record<string, unknown> & { agentSession: Record<string, unknown> };

const fixture = (name: string): Payload =>
  JSON.parse(
    readFileSync(
      new URL(`../../packages/control-plane/test/fixtures/linear-webhooks/${name}`, import.meta.url),
      "utf8",
    ),
  ) as Payload;

const CREATED = fixture("agent-session-event.created.json");
const PROMPTED = fixture("agent-session-event.prompted.json") as Payload & {
  agentActivity: Record<string, unknown>;
};

/** Who delegates: a Linear user the bench links to the tenant's owner. */
export const REQUESTER = "5b0f3c1e-8a7d-4e2b-9c61-2f4d7a9e0b13";

export interface LinearIssue {
  issueId: string;
  teamId: string;
}

/** An `AgentSessionEvent` `created` for a delegation of `issue` to the app, opening `agentSessionId`. */
export function delegation(linear: LinearDouble, issue: LinearIssue, agentSessionId: string): Payload {
  const session = CREATED.agentSession;
  return {
    ...CREATED,
    organizationId: linear.state.organization.id,
    appUserId: linear.state.appUserId,
    promptContext: null,
    agentSession: {
      ...session,
      id: agentSessionId,
      issueId: issue.issueId,
      type: "issue",
      sourceMetadata: null,
      comment: null,
      creatorId: REQUESTER,
      creator: { ...(session.creator as object), id: REQUESTER },
      issue: {
        ...(session.issue as object),
        id: issue.issueId,
        identifier: "BENCH-1",
        url: "https://linear.app/acme/issue/BENCH-1/add-a-changelog",
        title: "Add a changelog",
        description: "Please add docs/CHANGELOG.md that lists what changed.",
        teamId: issue.teamId,
        team: { id: issue.teamId, key: "BENCH", name: "Bench" },
      },
    },
  };
}

/** An `AgentSessionEvent` `prompted`: the requester's follow-up in the agent panel. */
export function followUp(linear: LinearDouble, issue: LinearIssue, agentSessionId: string): Payload {
  return {
    ...PROMPTED,
    organizationId: linear.state.organization.id,
    agentSession: { ...PROMPTED.agentSession, id: agentSessionId, issueId: issue.issueId },
    agentActivity: {
      ...PROMPTED.agentActivity,
      id: crypto.randomUUID(),
      agentSessionId,
      userId: REQUESTER,
      user: { ...(PROMPTED.agentActivity.user as object), id: REQUESTER },
      content: { type: "prompt", body: "please also add docs/NOTES.md with usage notes" },
      signal: null,
    },
  };
}

async function tenantCall(stack: RecordedStack, tenant: GithubTenant, path: string, init: RequestInit) {
  const res = await fetch(`${stack.url}/api/v1/tenants/${tenant.tenantId}${path}`, {
    ...init,
    headers: { ...tenant.headers, "content-type": "application/json" },
    redirect: "manual",
  });
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  return res;
}

/** Settings → Linear → Connect, through the double's authorize redirect, as the tenant's owner. */
export async function installLinear(stack: RecordedStack, tenant: GithubTenant): Promise<void> {
  const start = await tenantCall(stack, tenant, "/linear/connect", { method: "POST" });
  const authorize = await fetch(((await start.json()) as { url: string }).url, { redirect: "manual" });
  const back = new URL(authorize.headers.get("location") ?? "");
  const callback = await fetch(`${stack.url}${back.pathname}${back.search}`, {
    headers: tenant.headers,
    redirect: "manual",
  });
  const landed = callback.headers.get("location");
  if (landed !== "/settings?linear=connected")
    throw new Error(`installing Linear landed on ${landed} (${callback.status})`);
}

export async function mapTeam(
  stack: RecordedStack,
  tenant: GithubTenant,
  teamId: string,
  repository: string,
): Promise<void> {
  await tenantCall(stack, tenant, `/linear/teams/${teamId}`, {
    method: "PUT",
    body: JSON.stringify({ repository }),
  });
}

/**
 * The requester's first delegation answers with the connect link (Linear's `auth` signal); the
 * owner uses it, which links REQUESTER to them and resumes that delegation as them.
 */
export async function linkRequester(
  stack: RecordedStack,
  tenant: GithubTenant,
  linear: LinearDouble,
  webhook: { url: string; secret: string },
  issue: LinearIssue,
): Promise<void> {
  const agentSessionId = crypto.randomUUID();
  const sent = await sendLinearWebhook(
    webhook.url,
    webhook.secret,
    delegation(linear, issue, agentSessionId),
  );
  if (sent.status !== 200) throw new Error(`the linking delegation answered ${sent.status}`);
  const ask = await waitFor(
    () => linear.state.recorded.activities.find((a) => a.agentSessionId === agentSessionId),
    "the connect link",
    30_000,
  );
  const url = ask.signalMetadata?.url;
  if (ask.signal !== "auth" || typeof url !== "string")
    throw new Error(`the first delegation answered ${JSON.stringify(ask.content)}, not a connect link`);
  const token = new URL(url).searchParams.get("token") ?? "";
  await tenantCall(stack, tenant, "/linear/link", { method: "POST", body: JSON.stringify({ token }) });
  await waitFor(
    () =>
      linear.state.recorded.sessionUpdates.find((u) => u.id === agentSessionId && u.input.addedExternalUrls),
    "the resumed delegation's session",
    30_000,
  );
}
