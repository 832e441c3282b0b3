/**
 * The one place secret values are decrypted: when a sandbox is created, for its environment, and
 * in the session's DO (in memory only) to mask them in stored events. Repository secrets override
 * tenant-wide ones of the same name; admin-only secrets reach only sessions an admin started.
 */
import { isModelKeySecretName, type RepoRef } from "@nightshift/protocol";
import { openDatabase } from "../db/client";
import { listSealedSecretsForRepo } from "../db/repositories/secrets";
import { findMembership } from "../db/repositories/tenancy";
import type { Bindings } from "../env";
import { roleAtLeast } from "../tenancy/permissions";
import { loadKeyring } from "./keyring";
import { openSecrets } from "./tenant-vault";

/** How secrets name a repository: `github:<owner>/<name>` (lowercase, as GitHub compares) or `local:<path>`. */
export function repoKeyOf(repo: RepoRef): string {
  return repo.kind === "github" ? `github:${repo.owner}/${repo.name}`.toLowerCase() : `local:${repo.path}`;
}

/**
 * The session's starter and their current role decide; a demoted admin's sessions lose admin-only
 * secrets. A warm-start prebuild never gets them, whoever turned it on: what its setup hook writes
 * is snapshotted and every member's session starts from it.
 */
export async function decryptSecretsForSession(
  env: Pick<Bindings, "DB" | "SECRETS_MASTER_KEYS">,
  session: { tenantId: string; repo: RepoRef; createdBy: string; prebuild?: boolean | undefined },
): Promise<Record<string, string>> {
  const membership = await findMembership(openDatabase(env.DB), session.tenantId, session.createdBy);
  const admin = !session.prebuild && membership !== null && roleAtLeast(membership.role, "admin");
  const values = await decryptSecretsForSandbox(env, session.tenantId, repoKeyOf(session.repo), {
    includeAdminOnly: admin,
  });
  // Model keys stay in the control plane: the model gateway injects them upstream (model-gateway/).
  return Object.fromEntries(Object.entries(values).filter(([name]) => !isModelKeySecretName(name)));
}

export async function decryptSecretsForSandbox(
  env: Pick<Bindings, "DB" | "SECRETS_MASTER_KEYS">,
  tenantId: string,
  repoKey: string,
  options: { includeAdminOnly: boolean } = { includeAdminOnly: true },
): Promise<Record<string, string>> {
  const db = openDatabase(env.DB);
  const rows = await listSealedSecretsForRepo(db, tenantId, repoKey, options.includeAdminOnly);
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
