/**
 * Seals and opens a user's model account with the tenant's data key (the secrets envelope). The
 * associated data is `tenant|user|<userId>|model_account.<provider>.<kind>`: a ciphertext moved to
 * another tenant, user, provider or kind fails to open instead of being sent upstream for them.
 */
import type { ModelAccountKind, ModelProvider } from "@nightshift/protocol";
import type { Database } from "../db/client";
import type { UserModelAccountRow } from "../db/repositories/model-accounts";
import type { SecretAddress } from "../secrets/envelope";
import type { Keyring } from "../secrets/keyring";
import { openSecrets, sealSecret } from "../secrets/tenant-vault";

function addressOf(
  tenantId: string,
  userId: string,
  provider: ModelProvider,
  kind: ModelAccountKind,
): SecretAddress {
  return { tenantId, scope: "user", repoKey: userId, name: `model_account.${provider}.${kind}` };
}

export function sealUserAccount(
  db: Database,
  ring: Keyring,
  owner: { tenantId: string; userId: string },
  provider: ModelProvider,
  kind: ModelAccountKind,
  value: string,
): Promise<string> {
  return sealSecret(db, ring, addressOf(owner.tenantId, owner.userId, provider, kind), value);
}

export async function openUserAccount(
  db: Database,
  ring: Keyring,
  row: UserModelAccountRow,
): Promise<string> {
  const address = addressOf(
    row.tenantId,
    row.userId,
    row.provider as ModelProvider,
    row.kind as ModelAccountKind,
  );
  const [value] = await openSecrets(db, ring, row.tenantId, [{ address, ciphertext: row.ciphertext }]);
  if (value === undefined) throw new Error("model account did not open");
  return value;
}
