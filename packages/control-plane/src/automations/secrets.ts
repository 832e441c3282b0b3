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

/** The secrets a delivery may be signed with now: the current one, and the previous within its grace. */
export async function openAutomationSecrets(
  env: Bindings,
  db: Database,
  owner: { tenantId: string; automationId: string },
  sealed: SealedAutomationSecrets,
  now: Date,
): Promise<string[]> {
  const address = addressOf(owner.tenantId, owner.automationId);
  const live = [sealed.current];
  if (sealed.previous && sealed.previousUntil && sealed.previousUntil > now.toISOString())
    live.push(sealed.previous);
  const ciphertexts = live.filter((c): c is string => Boolean(c));
  return openSecrets(
    db,
    await keyring(env),
    owner.tenantId,
    ciphertexts.map((ciphertext) => ({ address, ciphertext })),
  );
}
