/**
 * The control plane's second line behind the runtime's masker: every runtime event is masked
 * with the session's secret values before the DO stores it. The values are decrypted on demand,
 * once per sandbox incarnation, and kept in memory only (never in DO storage).
 */
import { AgentEvent } from "@nightshift/protocol";
import type { Bindings } from "../env";
import { createSecretMasker } from "./mask";
import { decryptSecretsForSandbox, repoKeyOf } from "./sandbox-secrets";

type Mask = (text: string) => string;

/** Returns `value` itself when no string in it changed, so a clean event is neither copied nor re-parsed. */
function maskValue(value: unknown, mask: Mask, key?: string): unknown {
  // The discriminator is never free text; masking it would only make the event unreadable.
  if (typeof value === "string") return key === "type" ? value : mask(value);
  if (value === null || typeof value !== "object") return value;
  let changed = false;
  const maskEntry = (v: unknown, k?: string) => {
    const masked = maskValue(v, mask, k);
    if (masked !== v) changed = true;
    return masked;
  };
  if (Array.isArray(value)) {
    const out = value.map((item) => maskEntry(item));
    return changed ? out : value;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = maskEntry(v, k);
  return changed ? out : value;
}

/** Masks every string in an event; an event that no longer validates (a secret in a URL) is withheld. */
export function maskEvent(event: AgentEvent, mask: Mask): AgentEvent {
  const maskedValue = maskValue(event, mask);
  // Unchanged, it is the event the frame schema already validated.
  if (maskedValue === event) return event;
  const masked = AgentEvent.safeParse(maskedValue);
  if (masked.success) return masked.data;
  return {
    type: "log",
    source: "control-plane",
    stream: "stderr",
    text: `a ${event.type} event was withheld: it contained a secret value\n`,
  };
}

export class SessionEventMasker {
  private mask: Mask = (text) => text;
  private loadedFor: string | null = null;
  private loading: Promise<void> | null = null;

  constructor(private readonly loadValues: () => Promise<string[]>) {}

  isReadyFor(incarnation: string): boolean {
    return this.loadedFor === incarnation;
  }

  /**
   * Loads the values for this incarnation (a new sandbox may have new secrets). A failure leaves
   * the previous mask in place and is retried on the next frame; it never blocks events.
   */
  prepare(incarnation: string): Promise<void> {
    if (this.loadedFor === incarnation) return Promise.resolve();
    this.loading ??= this.loadValues()
      .then((values) => {
        this.mask = createSecretMasker(values);
        this.loadedFor = incarnation;
      })
      .catch(() => {})
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }

  apply(events: AgentEvent[]): AgentEvent[] {
    return events.map((event) => maskEvent(event, this.mask));
  }
}

/**
 * The masker of one session: every secret of its repository, decrypted on demand and kept in
 * memory only; nothing to mask before the session knows its tenant and repository.
 */
export function sessionEventMaskerFor(
  env: Bindings,
  session: () => { tenantId: string; repo: Parameters<typeof repoKeyOf>[0] } | null | undefined,
): SessionEventMasker {
  return new SessionEventMasker(async () => {
    const meta = session();
    if (!meta) return [];
    return Object.values(await decryptSecretsForSandbox(env, meta.tenantId, repoKeyOf(meta.repo)));
  });
}
