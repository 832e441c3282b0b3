/** The model-key secrets the gateway may use for one repository: tenant-wide and that repository's. */
import { and, eq, or } from "drizzle-orm";
import type { Database } from "../client";
import { secrets } from "../schema";

export function findModelKeySecrets(db: Database, tenantId: string, name: string, repoKey: string) {
  return db
    .select()
    .from(secrets)
    .where(
      and(
        eq(secrets.tenantId, tenantId),
        eq(secrets.name, name),
        or(eq(secrets.scope, "tenant"), and(eq(secrets.scope, "repo"), eq(secrets.repoKey, repoKey))),
      ),
    );
}
