/**
 * The one place secret values are decrypted: when a sandbox is created, for its environment.
 * Repository secrets override tenant-wide ones of the same name.
 */
import type { RepoRef } from "@nightshift/protocol";
import { openDatabase } from "../db/client";
import { listSealedSecretsForRepo } from "../db/repositories/secrets";
import type { Bindings } from "../env";
import { loadKeyring } from "./keyring";
import { openSecrets } from "./tenant-vault";

/** How secrets name a repository: `github:<owner>/<name>` (lowercase, as GitHub compares) or `local:<path>`. */
export function repoKeyOf(repo: RepoRef): string {
  return repo.kind === "github" ? `github:${repo.owner}/${repo.name}`.toLowerCase() : `local:${repo.path}`;
}

export async function decryptSecretsForSandbox(
  env: Pick<Bindings, "DB" | "SECRETS_MASTER_KEYS">,
  tenantId: string,
  repoKey: string,
): Promise<Record<string, string>> {
  const db = openDatabase(env.DB);
  const rows = await listSealedSecretsForRepo(db, tenantId, repoKey);
  if (rows.length === 0) return {};
  const ring = await loadKeyring(env.SECRETS_MASTER_KEYS);
  const values = await openSecrets(
    db,
    ring,
    tenantId,
    rows.map((r) => ({
      address: { tenantId, scope: r.scope, repoKey: r.repoKey, name: r.name },
      ciphertext: r.ciphertext,
    })),
  );
  const out: Record<string, string> = {};
  // Tenant-wide first, so a repository secret of the same name wins.
  const order = rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => (a.r.scope === b.r.scope ? 0 : a.r.scope === "tenant" ? -1 : 1));
  for (const { r, i } of order) out[r.name] = values[i] as string;
  return out;
}
