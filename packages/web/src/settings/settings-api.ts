/**
 * Tenant settings endpoints (admins): secrets (write-only: names and times come back, never
 * values), members and roles, API keys (the key itself is returned once, at creation), and the
 * GitHub App connection. Schemas take only what the pages show.
 */
import { z } from "zod";
import { ApiError, apiRequest } from "../api/http-client";
import { Role } from "../auth/auth-api";

export const settingsKeys = {
  secrets: ["settings", "secrets"] as const,
  members: ["settings", "members"] as const,
  apiKeys: ["settings", "api-keys"] as const,
  github: ["settings", "github"] as const,
};

export const SECRET_NAME = z
  .string()
  .trim()
  .min(1, "Name is required")
  .max(100)
  .regex(/^[A-Z_][A-Z0-9_]*$/, "Use upper-case letters, digits and '_' (an environment variable name)");

const SecretInfo = z.object({
  name: z.string(),
  repo: z.string().nullish(),
  updatedAt: z.string().nullish(),
  createdAt: z.string().nullish(),
});
export type SecretInfo = z.infer<typeof SecretInfo>;

const Member = z.object({
  userId: z.string(),
  name: z.string(),
  login: z.string().nullish(),
  role: Role,
});
export type Member = z.infer<typeof Member>;

const ApiKeyInfo = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string().nullish(),
  createdAt: z.string().nullish(),
  lastUsedAt: z.string().nullish(),
});
export type ApiKeyInfo = z.infer<typeof ApiKeyInfo>;

const CreatedApiKey = z.object({ key: z.string().min(1), apiKey: ApiKeyInfo.optional() });

const GithubConnection = z.object({
  connected: z.boolean(),
  account: z.string().nullish(),
  installUrl: z.string().nullish(),
  repositories: z.number().int().nonnegative().nullish(),
});
export type GithubConnection = z.infer<typeof GithubConnection>;

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

export const listSecrets = () =>
  optional(apiRequest("/api/v1/secrets", z.object({ secrets: z.array(SecretInfo) })).then((r) => r.secrets));

export const putSecret = (name: string, value: string) =>
  apiRequest(`/api/v1/secrets/${encodeURIComponent(name)}`, null, { method: "PUT", body: { value } });

export const deleteSecret = (name: string) =>
  apiRequest(`/api/v1/secrets/${encodeURIComponent(name)}`, null, { method: "DELETE" });

export const listMembers = () =>
  optional(apiRequest("/api/v1/members", z.object({ members: z.array(Member) })).then((r) => r.members));

export const setMemberRole = (userId: string, role: Role) =>
  apiRequest(`/api/v1/members/${encodeURIComponent(userId)}`, null, { method: "PATCH", body: { role } });

export const removeMember = (userId: string) =>
  apiRequest(`/api/v1/members/${encodeURIComponent(userId)}`, null, { method: "DELETE" });

export const listApiKeys = () =>
  optional(apiRequest("/api/v1/api-keys", z.object({ keys: z.array(ApiKeyInfo) })).then((r) => r.keys));

export const createApiKey = (name: string) =>
  apiRequest("/api/v1/api-keys", CreatedApiKey, { method: "POST", body: { name } });

export const revokeApiKey = (id: string) =>
  apiRequest(`/api/v1/api-keys/${encodeURIComponent(id)}`, null, { method: "DELETE" });

export const getGithubConnection = () => optional(apiRequest("/api/v1/github", GithubConnection));
