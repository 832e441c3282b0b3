/** Session endpoints of /api/v1 and the TanStack Query keys that cache them. */
import {
  type CreateSessionRequest,
  ListSessionsResponse,
  type SendPromptRequest,
  SendPromptResponse,
  Session,
  type SessionStatus,
} from "@nightshift/protocol";
import type { z } from "zod";
import { apiRequest, tenantPath } from "./http-client";

export const sessionKeys = {
  all: ["sessions"] as const,
  list: (status: SessionStatus | null) => ["sessions", "list", status ?? "any"] as const,
  detail: (id: string) => ["sessions", "detail", id] as const,
};

export function listSessions(
  params: { status?: SessionStatus | null; cursor?: string | null; limit?: number },
  signal?: AbortSignal,
): Promise<ListSessionsResponse> {
  const q = new URLSearchParams();
  q.set("limit", String(params.limit ?? 25));
  if (params.status) q.set("status", params.status);
  if (params.cursor) q.set("cursor", params.cursor);
  return apiRequest(tenantPath(`/sessions?${q}`), ListSessionsResponse, signal ? { signal } : {});
}

export function getSession(id: string, signal?: AbortSignal): Promise<Session> {
  return apiRequest(tenantPath(`/sessions/${encodeURIComponent(id)}`), Session, signal ? { signal } : {});
}

/** What the form sends: the request schema's input (agent has a server default). */
export type NewSession = z.input<typeof import("@nightshift/protocol").CreateSessionRequest>;

export function createSession(body: NewSession | CreateSessionRequest): Promise<Session> {
  return apiRequest(tenantPath("/sessions"), Session, { method: "POST", body });
}

export function stopSession(id: string): Promise<Session> {
  return apiRequest(tenantPath(`/sessions/${encodeURIComponent(id)}/stop`), Session, { method: "POST" });
}

export function sendPrompt(id: string, body: SendPromptRequest): Promise<SendPromptResponse> {
  return apiRequest(tenantPath(`/sessions/${encodeURIComponent(id)}/prompts`), SendPromptResponse, {
    method: "POST",
    body,
  });
}
