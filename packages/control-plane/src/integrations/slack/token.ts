/** The workspace's bot token, sealed and opened with the tenant's envelope (secrets/envelope.ts). */
import { openDatabase } from "../../db/client";
import type { Bindings } from "../../env";
import type { SecretAddress } from "../../secrets/envelope";
import { loadKeyring } from "../../secrets/keyring";
import { openSecrets, sealSecret } from "../../secrets/tenant-vault";

/** Bound to the tenant and the workspace, so a sealed token copied to another row does not open. */
function addressOf(tenantId: string, teamId: string): SecretAddress {
  return { tenantId, scope: "tenant", repoKey: "", name: `slack.bot_token.${teamId}` };
}

export async function sealBotToken(
  env: Bindings,
  tenantId: string,
  teamId: string,
  token: string,
): Promise<string> {
  const ring = await loadKeyring(env.SECRETS_MASTER_KEYS);
  return sealSecret(openDatabase(env.DB), ring, addressOf(tenantId, teamId), token);
}

export async function openBotToken(
  env: Bindings,
  row: { tenantId: string; teamId: string; botToken: string },
): Promise<string> {
  const ring = await loadKeyring(env.SECRETS_MASTER_KEYS);
  const [token] = await openSecrets(openDatabase(env.DB), ring, row.tenantId, [
    { address: addressOf(row.tenantId, row.teamId), ciphertext: row.botToken },
  ]);
  if (!token) throw new Error("the Slack bot token did not open");
  return token;
}
