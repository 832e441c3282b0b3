/**
 * Installation access tokens as GitHub mints them: `POST /app/installations/{id}/access_tokens`
 * with optional `repository_ids` / `repositories` and `permissions`, neither allowed to exceed the
 * installation's grant; each token expires (one hour by default). Lookups report expiry so the
 * REST and git layers can refuse with the right status.
 */
import { randomBytes } from "node:crypto";
import type { GithubState, Installation, PermissionLevel, Repository } from "./github-state";
import { GithubApiError, validationFailed } from "./http-io";

export interface InstallationToken {
  token: string;
  installationId: number;
  /** Repositories this token may touch; "all" = every repository of the installation. */
  repositoryIds: number[] | "all";
  permissions: Record<string, PermissionLevel>;
  expiresAt: number;
}

/** What a client asked for when minting, recorded so tests can prove least privilege. */
export interface MintRequest {
  installationId: number;
  repositoryIds: number[] | null;
  repositories: string[] | null;
  permissions: Record<string, string> | null;
  at: number;
}

const LEVEL_RANK: Record<PermissionLevel, number> = { read: 1, write: 2 };

export function allows(
  granted: Record<string, PermissionLevel>,
  permission: string,
  level: PermissionLevel,
): boolean {
  const have = granted[permission];
  return have !== undefined && LEVEL_RANK[have] >= LEVEL_RANK[level];
}

function parseIdList(value: unknown, field: string): number[] | null {
  if (value === undefined) return null;
  if (!Array.isArray(value) || !value.every((v) => Number.isInteger(v)))
    throw validationFailed("Installation", field, `${field} must be an array of integers`);
  return value as number[];
}

function parseNameList(value: unknown): string[] | null {
  if (value === undefined) return null;
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string"))
    throw validationFailed("Installation", "repositories", "repositories must be an array of names");
  return value as string[];
}

function parsePermissions(value: unknown): Record<string, string> | null {
  if (value === undefined) return null;
  if (!value || typeof value !== "object" || Array.isArray(value))
    throw validationFailed("Installation", "permissions", "permissions must be an object");
  return value as Record<string, string>;
}

export class InstallationTokens {
  readonly mints: MintRequest[] = [];
  private readonly tokens = new Map<string, InstallationToken>();

  private readonly state: GithubState;
  private readonly ttlMs: () => number;

  constructor(state: GithubState, ttlMs: () => number) {
    this.state = state;
    this.ttlMs = ttlMs;
  }

  mint(inst: Installation, body: Record<string, unknown>, now: number): InstallationToken {
    const repositoryIds = parseIdList(body.repository_ids, "repository_ids");
    const repositories = parseNameList(body.repositories);
    const permissions = parsePermissions(body.permissions);
    this.mints.push({ installationId: inst.id, repositoryIds, repositories, permissions, at: now });
    if (inst.suspended) throw new GithubApiError(403, "This installation has been suspended");

    const granted = this.state.installationRepos(inst);
    let scope: number[] | "all" = "all";
    if (repositoryIds || repositories) {
      // GitHub answers the same 422 for an id or a name the installation does not grant.
      const pick = (field: string, matches: (r: Repository) => boolean): Repository => {
        const repo = granted.find(matches);
        if (!repo)
          throw validationFailed(
            "Installation",
            field,
            "There is at least one repository that does not exist or is not accessible to the parent installation.",
          );
        return repo;
      };
      const wanted = [
        ...(repositoryIds ?? []).map((id) => pick("repository_ids", (r) => r.id === id)),
        ...(repositories ?? []).map((name) =>
          pick("repositories", (r) => r.name.toLowerCase() === name.toLowerCase()),
        ),
      ];
      scope = [...new Set(wanted.map((r) => r.id))];
    }

    const appGrant = this.state.app.permissions;
    let perms: Record<string, PermissionLevel> = { ...appGrant };
    if (permissions) {
      perms = {};
      for (const [name, level] of Object.entries(permissions)) {
        if (level !== "read" && level !== "write")
          throw validationFailed("Installation", "permissions", `permission ${name} must be read or write`);
        if (!allows(appGrant, name, level))
          throw validationFailed(
            "Installation",
            "permissions",
            `The permissions requested are not granted to this installation.`,
          );
        perms[name] = level;
      }
    }
    // Every installation token can read metadata, whatever was asked for.
    perms.metadata ??= "read";

    const token: InstallationToken = {
      token: `ghs_${randomBytes(18).toString("hex")}`,
      installationId: inst.id,
      repositoryIds: scope,
      permissions: perms,
      expiresAt: now + this.ttlMs(),
    };
    this.tokens.set(token.token, token);
    return token;
  }

  /** Every token minted so far (a test looks for them where they must not be). */
  issued(): string[] {
    return [...this.tokens.keys()];
  }

  /** The token, or "expired", or undefined when GitHub would not know it. */
  lookup(token: string, now: number): InstallationToken | "expired" | undefined {
    const found = this.tokens.get(token);
    if (!found) return undefined;
    return found.expiresAt <= now ? "expired" : found;
  }

  covers(token: InstallationToken, repo: Repository): boolean {
    const inst = this.state.installations.get(token.installationId);
    if (!inst || !this.state.installationRepos(inst).some((r) => r.id === repo.id)) return false;
    return token.repositoryIds === "all" || token.repositoryIds.includes(repo.id);
  }

  /** Forgets every token of an installation, as GitHub does when the App is uninstalled. */
  revokeInstallation(installationId: number): void {
    for (const [key, t] of this.tokens) if (t.installationId === installationId) this.tokens.delete(key);
  }

  /** Makes every token minted so far expire now (a test moving past the one-hour mark). */
  expireAll(now: number): void {
    for (const t of this.tokens.values()) t.expiresAt = Math.min(t.expiresAt, now);
  }
}
