/**
 * Automation endpoints of /api/v1 (admins manage, members read) and the TanStack Query keys that
 * cache them. The signing secret comes back only from create and rotate-secret; it is never put
 * in the query cache.
 */
import {
  Automation,
  AutomationCreated,
  type AutomationInput,
  type AutomationPatch,
  AutomationRunNowResponse,
  AutomationRunsPage,
  AutomationTestResult,
  ListAutomationsResponse,
} from "@nightshift/protocol";
import type { z } from "zod";
import { apiRequest, tenantPath } from "../api/http-client";

export const automationKeys = {
  all: ["automations"] as const,
  list: ["automations", "list"] as const,
  detail: (id: string) => ["automations", "detail", id] as const,
  runs: (id: string) => ["automations", "runs", id] as const,
  lastRun: (id: string, at: string) => ["automations", "runs", id, "last", at] as const,
};

/** What a form sends: the create schema's input (limits, enabled and the template have server defaults). */
export type NewAutomation = z.input<typeof import("@nightshift/protocol").AutomationInput>;

const one = (id: string, suffix = "") => tenantPath(`/automations/${encodeURIComponent(id)}${suffix}`);

export function listAutomations(signal?: AbortSignal): Promise<Automation[]> {
  return apiRequest(tenantPath("/automations"), ListAutomationsResponse, signal ? { signal } : {}).then(
    (r) => r.automations,
  );
}

export function getAutomation(id: string, signal?: AbortSignal): Promise<Automation> {
  return apiRequest(one(id), Automation, signal ? { signal } : {});
}

export function createAutomation(body: NewAutomation | AutomationInput): Promise<AutomationCreated> {
  return apiRequest(tenantPath("/automations"), AutomationCreated, { method: "POST", body });
}

export function updateAutomation(id: string, patch: AutomationPatch): Promise<Automation> {
  return apiRequest(one(id), Automation, { method: "PATCH", body: patch });
}

export function deleteAutomation(id: string): Promise<void> {
  return apiRequest(one(id), null, { method: "DELETE" });
}

/** A new secret, shown once; the previous one keeps verifying for 24 hours. */
export function rotateAutomationSecret(id: string): Promise<AutomationCreated> {
  return apiRequest(one(id, "/rotate-secret"), AutomationCreated, { method: "POST" });
}

export function runAutomationNow(id: string, payload?: unknown): Promise<AutomationRunNowResponse> {
  return apiRequest(one(id, "/run"), AutomationRunNowResponse, {
    method: "POST",
    body: payload === undefined ? {} : { payload },
  });
}

/** A dry run of the saved automation against a sample payload: nothing starts. */
export function testAutomation(id: string, payload: unknown): Promise<AutomationTestResult> {
  return apiRequest(one(id, "/test"), AutomationTestResult, { method: "POST", body: { payload } });
}

export function listAutomationRuns(
  id: string,
  cursor: string | null,
  signal?: AbortSignal,
  limit = 25,
): Promise<AutomationRunsPage> {
  const q = new URLSearchParams({ limit: String(limit) });
  if (cursor) q.set("cursor", cursor);
  return apiRequest(one(id, `/runs?${q}`), AutomationRunsPage, signal ? { signal } : {});
}

/** Where a webhook, Sentry or GitHub sends deliveries: this dashboard's own origin (the Worker serves both). */
export function inboundUrl(id: string, origin: string = window.location.origin): string {
  return `${origin}/webhooks/in/${encodeURIComponent(id)}`;
}
