/**
 * An automation's webhook signing secret, sealed with the tenant's data key (the secrets envelope)
 * under the address `tenant|automation|<automationId>|webhook_secret`: a ciphertext copied to
 * another automation or tenant does not open. Shown once (create, rotate), never stored in clear.
 */
import type { Database } from "../db/client";
import type { SealedAutomationSecrets } from "../db/repositories/automations";
import type { Bindings } from "../env";
import type { SecretAddress } from "../secrets/envelope";
import { openSecrets, sealSecret } from "../secrets/tenant-vault";
import { keyring } from "../services/secrets";

/** How long a rotated-out secret keeps verifying deliveries, so senders can switch without a gap. */
export const PREVIOUS_SECRET_GRACE_MS = 24 * 60 * 60 * 1000;

function addressOf(tenantId: string, automationId: string): SecretAddress {
  return { tenantId, scope: "automation", repoKey: automationId, name: "webhook_secret" };
}

export async function sealAutomationSecret(
  env: Bindings,
  db: Database,
  owner: { tenantId: string; automationId: string },
  secret: string,
): Promise<string> {
  return sealSecret(db, await keyring(env), addressOf(owner.tenantId, owner.automationId), secret);
}

/** An automation's signing secrets, opened: the current one, and the previous one with the end of its grace. */
export interface OpenedAutomationSecrets {
  current: string | null;
  previous: { secret: string; until: string } | null;
}

/** Opens the current secret and, while its grace lasts at `now`, the previous one (one unwrap of the tenant key). */
export async function openAutomationSecrets(
  env: Bindings,
  db: Database,
  owner: { tenantId: string; automationId: string },
  sealed: SealedAutomationSecrets,
  now: Date,
): Promise<OpenedAutomationSecrets> {
  const address = addressOf(owner.tenantId, owner.automationId);
  const previousUntil =
    sealed.previous && sealed.previousUntil && sealed.previousUntil > now.toISOString()
      ? sealed.previousUntil
      : null;
  const wanted = [sealed.current, previousUntil ? sealed.previous : null];
  const ciphertexts = wanted.filter((c): c is string => Boolean(c));
  const opened = await openSecrets(
    db,
    await keyring(env),
    owner.tenantId,
    ciphertexts.map((ciphertext) => ({ address, ciphertext })),
  );
  const current = sealed.current ? (opened[0] ?? null) : null;
  const previous = previousUntil ? opened[sealed.current ? 1 : 0] : undefined;
  return {
    current,
    previous: previous !== undefined && previousUntil ? { secret: previous, until: previousUntil } : null,
  };
}

/** The secrets a delivery may be signed with at `now`: the current one, and the previous within its grace. */
export function liveSecrets(opened: OpenedAutomationSecrets, now: Date): string[] {
  const live: string[] = [];
  if (opened.current) live.push(opened.current);
  if (opened.previous && opened.previous.until > now.toISOString()) live.push(opened.previous.secret);
  return live;
}
