/**
 * What the ingress needs to authenticate a delivery — the automation's row and its opened signing
 * secrets — kept by the isolate for a few seconds, so a stream of deliveries does not read D1 and
 * unwrap the tenant's data key for each one.
 *
 * Only an entry that just authenticated a delivery, read fresh from D1, is stored, and a hit never
 * extends its life: what D1 says reaches every isolate within INGRESS_CACHE_TTL_MS. A change served
 * by this isolate (edit, pause, delete, rotate: service.ts) forgets the entry at once. A delivery
 * the cached entry would refuse is checked again against D1 before it is refused (ingress.ts), so
 * enabling, rotating or a new key never waits; disabling, deleting or editing an automation in
 * another isolate takes effect there within the TTL.
 */
import type { Automation } from "@nightshift/protocol";
import { IsolateCache } from "../cache/isolate-cache";
import type { OpenedAutomationSecrets } from "./secrets";

/** How long another isolate may keep answering for an automation that was just disabled or changed. */
export const INGRESS_CACHE_TTL_MS = 5_000;
const INGRESS_CACHE_MAX = 1_000;

export interface IngressEntry {
  automation: Automation;
  /** Null for a trigger without a signing secret. */
  secrets: OpenedAutomationSecrets | null;
}

const entries = new IsolateCache<IngressEntry>({
  ttlMs: INGRESS_CACHE_TTL_MS,
  maxEntries: INGRESS_CACHE_MAX,
});

export function cachedIngress(automationId: string, at: number): IngressEntry | undefined {
  return entries.get(automationId, at);
}

export function rememberIngress(entry: IngressEntry, at: number): void {
  entries.set(entry.automation.id, entry, at);
}

/** After the automation changed (or is gone): the next delivery reads D1 again. */
export function forgetIngress(automationId: string): void {
  entries.delete(automationId);
}
