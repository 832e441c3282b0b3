/**
 * A tenant with the GitHub App connected, built through the real repository functions: the
 * double's installation 77 (acme/widgets, acme/gadgets) linked to it, and octocat (write on both)
 * as a GitHub-identified member. Installation 77 belongs to one tenant, so every caller shares it.
 */
import { env } from "cloudflare:workers";
import { openDatabase } from "../src/db/client";
import { findInstallationTenant, linkInstallation, replaceRepositories } from "../src/db/repositories/github";
import { addMember, createTenantWithOwner, findMembership, getTenant } from "../src/db/repositories/tenancy";
import { ensureGithubUser } from "../src/db/repositories/users";
import { type Identity, identityFor } from "./identities";

export const INSTALLATION_ID = 77;
export const REPOS = [
  { id: 9001, owner: "acme", name: "widgets", defaultBranch: "main" },
  { id: 9002, owner: "acme", name: "gadgets", defaultBranch: "main" },
];

/** The tenant holding installation 77, with a GitHub user of the given login as owner. */
export async function githubTenant(who = { githubId: 583231, login: "octocat" }): Promise<Identity> {
  const db = openDatabase(env.DB);
  const user = await ensureGithubUser(db, who);
  let tenantId = await findInstallationTenant(db, INSTALLATION_ID);
  if (!tenantId) {
    tenantId = `gh-${crypto.randomUUID().slice(0, 8)}`;
    await createTenantWithOwner(db, tenantId, {
      slug: tenantId,
      name: "acme",
      ownerId: user.id,
      createdAt: new Date().toISOString(),
    });
    await linkInstallation(db, tenantId, {
      id: INSTALLATION_ID,
      accountLogin: "acme",
      linkedBy: user.id,
      now: Date.now(),
    });
    await replaceRepositories(db, tenantId, INSTALLATION_ID, REPOS);
  } else if (!(await findMembership(db, tenantId, user.id))) {
    await addMember(db, tenantId, user.id, "owner", new Date().toISOString());
  }
  const tenant = await getTenant(db, tenantId);
  if (!tenant) throw new Error("the GitHub tenant vanished");
  return identityFor({ id: tenant.id, slug: tenant.slug }, user, "owner");
}
