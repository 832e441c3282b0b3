/**
 * The Linear tenant the activity bench delivers to, built the way a user builds it: the owner signs
 * in with GitHub and connects the installation, installs the Linear app through Linear's OAuth
 * redirect, maps the team to the repository, and links their Linear account with the one-time link
 * the first delegation answers with. Also the delegation and follow-up payloads, shaped like the
 * recorded deliveries the control plane's router tests use.
 */
import {
  type DelegatedIssue,
  type GithubTenant,
  linearDelegation,
  linearFollowUp,
  type RecordedStack,
} from "@nightshift/devstack";
import type { LinearDouble } from "@nightshift/testkit/linear";
import { sendLinearWebhook } from "@nightshift/testkit/linear";
import { waitFor } from "@nightshift/testkit/wait-for";

export type LinearIssue = DelegatedIssue;

/** A delegation of `issue` to the app, opening `agentSessionId` (the issue is BENCH-1). */
export const delegation = (linear: LinearDouble, issue: LinearIssue, agentSessionId: string) =>
  linearDelegation(linear, issue, agentSessionId, { key: "BENCH", name: "Bench" });

/** The requester's follow-up in the agent panel. */
export const followUp = (linear: LinearDouble, issue: LinearIssue, agentSessionId: string) =>
  linearFollowUp(linear, issue.issueId, agentSessionId, "please also add docs/NOTES.md with usage notes");

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
 * owner uses it, which links the requester to them and resumes that delegation as them.
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
