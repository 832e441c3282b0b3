/**
 * Automations in workerd tests: create one through the real API, sign a delivery the way a
 * Standard Webhooks sender does (the reference library, via signatures.ts), and post it to
 * /webhooks/in/:id with nobody's credentials.
 */
import type {
  AutomationCreated,
  AutomationInput,
  AutomationRun,
  AutomationRunsPage,
  Session,
} from "@nightshift/protocol";
import { expect } from "vitest";
import { waitFor } from "../../testkit/src/wait-for";
import { signStandardWebhook } from "../src/automations/signatures";
import { hmacSha256Hex } from "../src/integrations/hmac";
import { api, type Identity, postJson } from "./helpers";

export type AutomationBody = Partial<Omit<AutomationInput, "limits">> & {
  limits?: Partial<AutomationInput["limits"]>;
};

export const automationsPath = (who: Identity, rest = "") =>
  `/api/v1/tenants/${who.tenantId}/automations${rest}`;

export function webhookBody(extra: AutomationBody = {}): AutomationBody {
  return {
    name: "Triage alerts",
    trigger: { kind: "webhook" },
    repo: { mode: "fixed", repo: { kind: "local", path: "demo" } },
    promptTemplate: "Look into {{payload.alert.title}}",
    ...extra,
  };
}

export async function createAutomation(
  who: Identity,
  body: AutomationBody = webhookBody(),
): Promise<AutomationCreated> {
  const res = await postJson(automationsPath(who), body, {}, who);
  if (res.status !== 201) throw new Error(`create automation failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as AutomationCreated;
}

let deliveries = 0;

export interface Delivery {
  body?: string;
  id?: string;
  /** Seconds since the epoch the delivery claims it was signed at (default now). */
  signedAt?: number;
  headers?: Record<string, string>;
}

/** The Standard Webhooks headers for `body` signed with `secret`. */
export function standardHeaders(secret: string, d: Delivery = {}): Record<string, string> {
  const body = d.body ?? "{}";
  const id = d.id ?? `msg_${Date.now()}_${++deliveries}`;
  const signedAt = d.signedAt ?? Math.floor(Date.now() / 1000);
  return {
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(signedAt),
    "webhook-signature": signStandardWebhook(secret, id, signedAt, body),
  };
}

export function deliver(
  automationId: string,
  body: string,
  headers: Record<string, string>,
): Promise<Response> {
  return api(`/webhooks/in/${automationId}`, { method: "POST", headers, body }, null);
}

/** A delivery signed with `secret` the Standard Webhooks way. */
export function deliverSigned(automationId: string, secret: string, d: Delivery = {}): Promise<Response> {
  const body = d.body ?? "{}";
  return deliver(automationId, body, { ...standardHeaders(secret, { ...d, body }), ...d.headers });
}

export async function sentryHeaders(secret: string, body: string): Promise<Record<string, string>> {
  return {
    "content-type": "application/json",
    "sentry-hook-resource": "event_alert",
    "sentry-hook-timestamp": String(Math.floor(Date.now() / 1000)),
    "sentry-hook-signature": await hmacSha256Hex(secret, [new TextEncoder().encode(body)]),
    "request-id": crypto.randomUUID(),
  };
}

export async function githubHeaders(secret: string, body: string): Promise<Record<string, string>> {
  return {
    "content-type": "application/json",
    "x-github-event": "workflow_run",
    "x-github-delivery": crypto.randomUUID(),
    "x-hub-signature-256": `sha256=${await hmacSha256Hex(secret, [new TextEncoder().encode(body)])}`,
  };
}

export async function expectJson<T>(res: Response, status: number): Promise<T> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return JSON.parse(text) as T;
}

export function patchAutomation(who: Identity, id: string, body: unknown): Promise<Response> {
  return api(
    automationsPath(who, `/${id}`),
    { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
    who,
  );
}

/** The session a webhook's 202 named, once created (it is created right after the answer). */
export async function sessionOnceCreated(who: Identity, sessionId: string): Promise<Session> {
  const path = `/api/v1/tenants/${who.tenantId}/sessions/${sessionId}`;
  const res = await waitFor(
    async () => {
      const answer = await api(path, {}, who);
      return answer.status === 200 ? answer : null;
    },
    `session ${sessionId} to be created`,
    10_000,
  );
  return (await res.json()) as Session;
}

/** The run once it has settled (its session created, or its failure recorded). */
export async function runOnceSettled(
  who: Identity,
  automationId: string,
  runId: string,
): Promise<AutomationRun> {
  return waitFor(
    async () => {
      const res = await api(automationsPath(who, `/${automationId}/runs`), {}, who);
      const { runs } = (await res.json()) as AutomationRunsPage;
      const run = runs.find((r) => r.id === runId);
      return run && (run.outcome !== "started" || run.sessionStatus) ? run : null;
    },
    `run ${runId} to settle`,
    10_000,
  );
}
