/** Test helpers for the model gateway: a session of a fresh tenant, its sandbox token, the scripted model's control. */
import { env } from "cloudflare:workers";
import type { Session } from "@nightshift/protocol";
import type { ReplyInput } from "../../testkit/src/model/replies";
import type { RecordedRequest } from "../../testkit/src/model/scripted-model";
import { forgetCachedCallers } from "../src/sandbox-auth/sandbox-caller";
import { api, createTenant, type Identity, postJson } from "./helpers";
import { useIncarnation } from "./sandbox-client";

const control = () => (env as unknown as { MODEL_DOUBLE_CONTROL_URL: string }).MODEL_DOUBLE_CONTROL_URL;

export async function enqueueModelReplies(...replies: ReplyInput[]): Promise<void> {
  const res = await fetch(`${control()}/enqueue`, { method: "POST", body: JSON.stringify(replies) });
  if (res.status !== 204) throw new Error(`enqueue failed: ${res.status} ${await res.text()}`);
}

export async function modelRequests(): Promise<RecordedRequest[]> {
  return (await (await fetch(`${control()}/requests`)).json()) as RecordedRequest[];
}

/** Requests the scripted model received that carry this marker in their body. */
export async function modelRequestsMarked(marker: string): Promise<RecordedRequest[]> {
  return (await modelRequests()).filter((r) => JSON.stringify(r.body ?? null).includes(marker));
}

export interface GatewaySession {
  owner: Identity;
  session: Session;
  token: string;
}

/** A session in a tenant of its own (so settings, secrets and spend never leak between tests). */
export async function gatewaySession(label: string): Promise<GatewaySession> {
  forgetCachedCallers();
  const owner = await createTenant(label);
  const res = await postJson(
    "/api/v1/sessions",
    { repo: { kind: "local", path: "demo" }, prompt: "Add a README" },
    {},
    owner,
  );
  if (res.status !== 201) throw new Error(`create session failed: ${res.status} ${await res.text()}`);
  const session = (await res.json()) as Session;
  const token = await useIncarnation(session, `inc-${label}-${session.id}`);
  return { owner, session, token };
}

export function callGateway(path: string, init: RequestInit): Promise<Response> {
  return api(`/sandbox/model${path}`, init, null);
}

export function anthropicCall(
  token: string | null,
  body: Record<string, unknown>,
  extra: Record<string, string> = {},
) {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "anthropic-version": "2023-06-01",
    ...extra,
  };
  if (token) headers["x-api-key"] = token;
  return callGateway("/anthropic/v1/messages", { method: "POST", headers, body: JSON.stringify(body) });
}

export const anthropicBody = (marker: string, stream = true) => ({
  model: "claude-sonnet-4-5",
  max_tokens: 100,
  stream,
  messages: [{ role: "user", content: `hello ${marker}` }],
});
