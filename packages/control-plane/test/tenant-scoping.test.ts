/**
 * The rule that keeps tenants apart in D1, checked on the source itself: queries live only in
 * src/db/, and every repository function takes the tenant right after the database handle and
 * uses it, except a short list of functions that cannot know the tenant yet, each with a reason.
 */
import { describe, expect, it } from "vitest";

declare global {
  interface ImportMeta {
    glob(pattern: string, options: { query: "?raw"; import: "default"; eager: true }): Record<string, string>;
  }
}

const sources = import.meta.glob("../src/**/*.ts", { query: "?raw", import: "default", eager: true });

/** Repository functions (or whole files) that are not tenant-first, and why. */
const UNSCOPED: Record<string, string> = {
  "users.ts": "users and their sign-ins belong to no tenant (one user, many tenants)",
  "device-auth.ts":
    "a CLI's device sign-in belongs to no tenant until a signed-in member approves it (the approval names the tenant); rows are found by hashed codes",
  "tenancy.ts#ensureLocalIdentity": "creates local mode's fixed tenant itself",
  "tenancy.ts#isTenantSlugTaken": "slugs are unique across tenants; checked before the tenant exists",
  "tenancy.ts#findTenantForUser": "resolves which tenant a user named; the membership join is the scope",
  "tenancy.ts#listTenantsForUser": "lists a user's own tenants through their memberships",
  "api-keys.ts#findApiKeyByHash": "authentication: the key itself decides the tenant",
  "github.ts#findInstallationTenant": "a verified webhook names an installation; its row decides the tenant",
  "linear.ts#findLinearInstallation":
    "a verified Linear delivery names an organization; its row decides the tenant",
  "slack.ts#findSlackInstallation":
    "a verified Slack event names a workspace; its row decides the tenant (one workspace, one tenant)",
  "tenant-keys.ts#listDataKeysNotWrappedBy": "master-key rotation is an operator task across all tenants",
  "sessions.ts#listStuckSessions":
    "the cron reconciler sweeps every tenant; each row goes to its own DO, which checks the tenant",
  "automations.ts#findAutomationForIngress":
    "POST /webhooks/in/:id names only the automation; its row decides the tenant (checked by its signature)",
  "automations.ts#listSchedules":
    "the scheduler sweeps every tenant's due schedules; each row goes on with its own tenant",
  "sessions.ts#sessionStatusAcrossTenants":
    "the Daytona snapshot sweep has only a session id from a snapshot's name; it reads no more than the status",
  "warm.ts#isWarmSnapshotInUse":
    "the Daytona snapshot sweep has only a snapshot's name; it reads no more than whether a row keeps it",
  "tenant-keys.ts#d1DataKeyStore":
    "the rotation port over D1: re-wraps every tenant's key, each by its own id",
};

interface RepoFunction {
  file: string;
  name: string;
  params: string;
  body: string;
}

function repositoryFunctions(): RepoFunction[] {
  const out: RepoFunction[] = [];
  for (const [path, text] of Object.entries(sources)) {
    const m = /\/db\/repositories\/([\w-]+\.ts)$/.exec(path);
    if (!m?.[1] || path.endsWith(".test.ts")) continue;
    const chunks = text.split(/(?=^export (?:async )?function )/m).slice(1);
    for (const chunk of chunks) {
      const sig = /^export (?:async )?function (\w+)\(([^)]*)\)/.exec(chunk);
      if (sig?.[1]) out.push({ file: m[1], name: sig[1], params: sig[2] ?? "", body: chunk });
    }
  }
  return out;
}

describe("tenant-scoped data access", () => {
  it("finds the sources it checks", () => {
    expect(Object.keys(sources).length).toBeGreaterThan(30);
    expect(repositoryFunctions().length).toBeGreaterThan(30);
  });

  it("keeps every query inside src/db/", () => {
    const offenders: string[] = [];
    for (const [path, text] of Object.entries(sources)) {
      if (path.includes("/src/db/")) continue;
      if (/from "drizzle-orm/.test(text)) offenders.push(`${path}: imports drizzle-orm`);
      if (/\bDB\s*\.\s*(prepare|exec|batch|dump|withSession)\s*\(/.test(text))
        offenders.push(`${path}: raw D1 call`);
      // The binding may only be handed to openDatabase (or passed along whole in an env).
      for (const use of text.matchAll(/(.{0,30})\benv\.DB\b/g)) {
        if (!/openDatabase\((?:\w+\.)*$/.test(use[1] ?? ""))
          offenders.push(`${path}: uses env.DB outside openDatabase(...)`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("makes every repository function take the tenant first and use it, or say why not", () => {
    const offenders: string[] = [];
    for (const fn of repositoryFunctions()) {
      if (UNSCOPED[fn.file] || UNSCOPED[`${fn.file}#${fn.name}`]) continue;
      if (!/^\s*db: Database,\s*tenantId: string\b/.test(fn.params)) {
        offenders.push(`${fn.file}#${fn.name}(${fn.params.replace(/\s+/g, " ").trim()})`);
      } else if ((fn.body.match(/\btenantId\b/g) ?? []).length < 2) {
        offenders.push(`${fn.file}#${fn.name} takes tenantId but never uses it`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("has no stale exceptions", () => {
    const fns = repositoryFunctions();
    for (const key of Object.keys(UNSCOPED)) {
      const [file, name] = key.split("#");
      const exists = fns.some((f) => f.file === file && (name === undefined || f.name === name));
      expect(exists, `${key} is listed as unscoped but does not exist`).toBe(true);
    }
  });
});
