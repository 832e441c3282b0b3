/**
 * Linear in workerd tests: the testkit Linear double's inspection routes, installing the app for
 * a tenant through the real OAuth flow (connect → the double's authorize page → the callback in a
 * signed-in browser), Linear users linked to members, and signed deliveries built from the real
 * payloads.
 */
import { env } from "cloudflare:workers";
import type { Session } from "@nightshift/protocol";
import { openDatabase } from "../src/db/client";
import { linkLinearUser } from "../src/db/repositories/linear";
import created from "./fixtures/linear-webhooks/agent-session-event.created.json";
import prompted from "./fixtures/linear-webhooks/agent-session-event.prompted.json";
import { api, browserHeaders, type Identity } from "./helpers";
import { LINEAR_APP } from "./linear-fixture";

export const linearUrl = () => (env as unknown as { LINEAR_API_URL: string }).LINEAR_API_URL;

export interface Recorded {
  activities: {
    id: string;
    agentSessionId: string;
    content: { type: string; body?: string };
    signal?: string;
    signalMetadata?: { url?: string; userId?: string; providerName?: string };
  }[];
  sessionUpdates: { id: string; input: { addedExternalUrls?: { label: string; url: string }[] } }[];
  issueUpdates: { id: string; input: { stateId?: string } }[];
  attachments: { issueId: string; url: string }[];
  tokenGrants: { grantType: string }[];
}

export async function recorded(): Promise<Recorded> {
  return (await (await fetch(`${linearUrl()}/_double/recorded`)).json()) as Recorded;
}

export async function activitiesOf(agentSessionId: string) {
  return (await recorded()).activities.filter((a) => a.agentSessionId === agentSessionId);
}

export async function doubleOrganization(): Promise<{ organization: { id: string }; appUserId: string }> {
  return (await (await fetch(`${linearUrl()}/_double/organization`)).json()) as {
    organization: { id: string };
    appUserId: string;
  };
}

export async function newIssue(
  text: { title?: string; description?: string } = {},
): Promise<{ issueId: string; teamId: string; state: { id: string } }> {
  const res = await fetch(`${linearUrl()}/_double/issues`, { method: "POST", body: JSON.stringify(text) });
  return (await res.json()) as { issueId: string; teamId: string; state: { id: string } };
}

export async function issueState(issueId: string): Promise<{ type: string; name: string } | null> {
  const res = await fetch(`${linearUrl()}/_double/issues/${issueId}`);
  return ((await res.json()) as { state: { type: string; name: string } | null }).state;
}

export async function failNext(count: number, failure: { status: number; code: string }): Promise<void> {
  await fetch(`${linearUrl()}/_double/fail`, { method: "POST", body: JSON.stringify({ count, ...failure }) });
}

/** Runs the install as a person would; returns the callback's redirect (the Settings page and outcome). */
export async function installLinear(who: Identity, finishAs: string = who.userId): Promise<string> {
  const start = await api(`/api/v1/tenants/${who.tenantId}/linear/connect`, { method: "POST" }, who);
  if (start.status !== 200) throw new Error(`connect failed: ${start.status} ${await start.text()}`);
  const { url } = (await start.json()) as { url: string };
  const authorize = await fetch(url, { redirect: "manual" });
  const back = new URL(authorize.headers.get("location") ?? "");
  const callback = await api(
    `${back.pathname}${back.search}`,
    { headers: await browserHeaders(finishAs), redirect: "manual" },
    null,
  );
  return callback.headers.get("location") ?? `status ${callback.status}`;
}

async function sign(body: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(LINEAR_APP.webhookSecret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(body)));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function deliverLinear(
  payload: Record<string, unknown>,
  opts: { deliveryId?: string; timestamp?: number; signature?: string } = {},
): Promise<Response> {
  const body = JSON.stringify({ ...payload, webhookTimestamp: opts.timestamp ?? Date.now() });
  return api(
    "/webhooks/linear",
    {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "linear-delivery": opts.deliveryId ?? crypto.randomUUID(),
        "linear-signature": opts.signature ?? (await sign(body)),
      },
      body,
    },
    null,
  );
}

/** The Linear user who delegates in the real deliveries. */
export const REQUESTER_ID = created.agentSession.creator.id;

/** Binds a Linear user to a member as a used connect link does. */
export async function linkRequester(tenant: Identity, organizationId: string, linearUserId: string) {
  const outcome = await linkLinearUser(openDatabase(env.DB), tenant.tenantId, {
    organizationId,
    linearUserId,
    userId: tenant.userId,
    now: Date.now(),
  });
  if (outcome !== "linked") throw new Error(`linking ${linearUserId} failed: ${outcome}`);
}

/** The real `created` delivery, re-aimed at an issue of the double and a requester. */
export function createdPayload(input: {
  organizationId: string;
  issueId: string;
  teamId: string;
  requesterId?: string;
  description?: string;
  comment?: boolean;
}): Record<string, unknown> {
  const agentSessionId = crypto.randomUUID();
  const session = created.agentSession;
  return {
    ...created,
    organizationId: input.organizationId,
    agentSession: {
      ...session,
      id: agentSessionId,
      issueId: input.issueId,
      type: input.comment ? "commentThread" : "issue",
      sourceMetadata: input.comment ? session.sourceMetadata : null,
      comment: input.comment ? session.comment : null,
      creatorId: input.requesterId ?? session.creator.id,
      creator: { ...session.creator, id: input.requesterId ?? session.creator.id },
      issue: {
        ...session.issue,
        id: input.issueId,
        teamId: input.teamId,
        team: { ...session.issue.team, id: input.teamId },
        description: input.description ?? "Please fix the typo in acme/widgets.",
      },
    },
  };
}

export function promptedPayload(input: {
  organizationId: string;
  agentSessionId: string;
  issueId: string;
  requesterId?: string;
  body: string;
  signal?: string;
}): Record<string, unknown> {
  return {
    ...prompted,
    organizationId: input.organizationId,
    agentSession: { ...prompted.agentSession, id: input.agentSessionId, issueId: input.issueId },
    agentActivity: {
      ...prompted.agentActivity,
      id: crypto.randomUUID(),
      agentSessionId: input.agentSessionId,
      userId: input.requesterId ?? prompted.agentActivity.userId,
      user: { ...prompted.agentActivity.user, id: input.requesterId ?? prompted.agentActivity.userId },
      content: { type: "prompt", body: input.body },
      signal: input.signal ?? null,
    },
  };
}

export async function linearSessions(who: Identity): Promise<Session[]> {
  const res = await api("/api/v1/sessions?limit=100", {}, who);
  return ((await res.json()) as { sessions: Session[] }).sessions.filter((s) => s.trigger === "linear");
}
