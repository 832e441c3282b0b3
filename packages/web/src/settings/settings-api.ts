/**
 * Tenant settings endpoints (admins): secrets (write-only: names and times come back, never
 * values), members and roles, API keys (the key itself is returned once, at creation), and the
 * GitHub App connection (read by any member; connected and unlinked by owners). Bodies are the
 * protocol's tenancy and GitHub schemas.
 */
import {
  ConnectGithubResponse,
  CreateApiKeyResponse,
  GithubConnectionResponse,
  ListApiKeysResponse,
  ListMembersResponse,
  ListSecretsResponse,
  type Role,
} from "@nightshift/protocol";
import { ApiError, apiRequest, tenantPath } from "../api/http-client";

export const settingsKeys = {
  secrets: ["settings", "secrets"] as const,
  members: ["settings", "members"] as const,
  apiKeys: ["settings", "api-keys"] as const,
  github: ["settings", "github"] as const,
};

/** A settings API the Worker does not serve yet reads as "not available" rather than as a failure. */
export type Maybe<T> = { available: true; value: T } | { available: false };

async function optional<T>(p: Promise<T>): Promise<Maybe<T>> {
  try {
    return { available: true, value: await p };
  } catch (err) {
    if (err instanceof ApiError && err.isNotFound) return { available: false };
    throw err;
  }
}

/** `repo` is a RepoKey (`github:owner/name` or `local:path`) for a repository-scoped secret. */
function secretPath(name: string, repo: string | null): string {
  const q = repo ? `?repo=${encodeURIComponent(repo)}` : "";
  return tenantPath(`/secrets/${encodeURIComponent(name)}${q}`);
}

export const listSecrets = () =>
  optional(apiRequest(tenantPath("/secrets"), ListSecretsResponse).then((r) => r.secrets));

/**
 * `adminOnly`: only sessions an owner or admin starts get the secret. Left out when unticked, so
 * replacing a value keeps an existing secret admin-only (delete it to widen it again).
 */
export const putSecret = (name: string, value: string, repo: string | null, adminOnly = false) =>
  apiRequest(secretPath(name, repo), null, {
    method: "PUT",
    body: adminOnly ? { value, adminOnly } : { value },
  });

export const deleteSecret = (name: string, repo: string | null) =>
  apiRequest(secretPath(name, repo), null, { method: "DELETE" });

export const listMembers = () =>
  optional(apiRequest(tenantPath("/members"), ListMembersResponse).then((r) => r.members));

export const addMember = (login: string, role: Role) =>
  apiRequest(tenantPath("/members"), null, { method: "POST", body: { login, role } });

export const setMemberRole = (userId: string, role: Role) =>
  apiRequest(tenantPath(`/members/${encodeURIComponent(userId)}`), null, { method: "PATCH", body: { role } });

export const removeMember = (userId: string) =>
  apiRequest(tenantPath(`/members/${encodeURIComponent(userId)}`), null, { method: "DELETE" });

export const listApiKeys = () =>
  optional(apiRequest(tenantPath("/api-keys"), ListApiKeysResponse).then((r) => r.apiKeys));

export const createApiKey = (name: string) =>
  apiRequest(tenantPath("/api-keys"), CreateApiKeyResponse, { method: "POST", body: { name } });

export const revokeApiKey = (id: string) =>
  apiRequest(tenantPath(`/api-keys/${encodeURIComponent(id)}`), null, { method: "DELETE" });

export const getGithubConnection = () =>
  optional(apiRequest(tenantPath("/github"), GithubConnectionResponse));

/** Asks where to send the browser to install the App; the caller navigates there. */
export const connectGithub = () =>
  apiRequest(tenantPath("/github/connect"), ConnectGithubResponse, { method: "POST" }).then((r) => r.url);

/** Unlinks the installation from this tenant only: it stays installed on GitHub. */
export const disconnectGithubInstallation = (installationId: number) =>
  apiRequest(tenantPath(`/github/installations/${installationId}`), null, { method: "DELETE" });
