/**
 * Tenancy and security API bodies: sign-in, the caller's identity, tenants, members, API keys,
 * secrets (write-only) and the audit log. Requests are strict; responses are what the Worker sends.
 */
import { z } from "zod";

/** Names a tenant (by id or slug) on requests whose path does not carry one. */
export const TENANT_HEADER = "x-nightshift-tenant";

/** Member roles, least to most: the one list behind the API schemas, the D1 columns and the dashboard. */
export const ROLES = ["member", "admin", "owner"] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** Lowercase letters, digits and inner dashes; never ULID-shaped, so a slug cannot pose as an id. */
export const TenantSlug = z
  .string()
  .min(3)
  .max(40)
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, "use lowercase letters, digits and inner '-'")
  .refine((s) => !/^[0-9a-z]{26}$/.test(s), "must not look like a tenant id");

/** A path inside this site: `/x`, never `//host` or a backslash trick that browsers treat as absolute. */
export const LocalRedirect = z
  .string()
  .max(2000)
  .regex(/^\/(?![/\\])[^\\\s]*$/, "must be a path on this site starting with a single '/'");

// ---------- sign-in ----------

export const GithubLoginQuery = z.strictObject({ redirect: LocalRedirect.default("/") });
export type GithubLoginQuery = z.infer<typeof GithubLoginQuery>;

export const GithubCallbackQuery = z.object({
  code: z.string().min(1).max(500).optional(),
  state: z.string().min(1).max(500).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1000).optional(),
});
export type GithubCallbackQuery = z.infer<typeof GithubCallbackQuery>;

export const DevLoginRequest = z.strictObject({
  login: z
    .string()
    .min(1)
    .max(39)
    .regex(/^[A-Za-z0-9-]+$/, "letters, digits and '-' only")
    .optional(),
  name: z.string().trim().min(1).max(100).optional(),
});
export type DevLoginRequest = z.infer<typeof DevLoginRequest>;

export const User = z.object({
  id: z.string(),
  login: z.string(),
  name: z.string(),
  email: z.string(),
  avatarUrl: z.string().nullable(),
});
export type User = z.infer<typeof User>;

export const SignInResponse = z.object({ user: User, expiresAt: z.string() });
export type SignInResponse = z.infer<typeof SignInResponse>;

// ---------- me and tenants ----------

export const Tenant = z.object({ id: z.string(), slug: z.string(), name: z.string(), createdAt: z.string() });
export type Tenant = z.infer<typeof Tenant>;

export const TenantWithRole = Tenant.extend({ role: Role });
export type TenantWithRole = z.infer<typeof TenantWithRole>;

export const MeResponse = z.object({
  user: User,
  /** The tenants this caller may act in: all memberships for a signed-in user, one for an API key. */
  tenants: z.array(TenantWithRole),
  via: z.enum(["session", "api_key"]),
  apiKey: z.object({ id: z.string(), tenantId: z.string(), role: Role }).nullable(),
});
export type MeResponse = z.infer<typeof MeResponse>;

export const CreateTenantRequest = z.strictObject({
  name: z.string().trim().min(1).max(100),
  slug: TenantSlug,
});
export type CreateTenantRequest = z.infer<typeof CreateTenantRequest>;

/** Deleting a tenant is irreversible: the caller repeats its slug to confirm. */
export const DeleteTenantQuery = z.strictObject({ confirm: z.string().min(1).max(64) });
export type DeleteTenantQuery = z.infer<typeof DeleteTenantQuery>;

export const ListTenantsResponse = z.object({ tenants: z.array(TenantWithRole) });
export type ListTenantsResponse = z.infer<typeof ListTenantsResponse>;

// ---------- members ----------

export const Member = z.object({
  userId: z.string(),
  login: z.string(),
  name: z.string(),
  role: Role,
  createdAt: z.string(),
});
export type Member = z.infer<typeof Member>;

export const ListMembersResponse = z.object({ members: z.array(Member) });
export type ListMembersResponse = z.infer<typeof ListMembersResponse>;

export const AddMemberRequest = z.strictObject({
  /** The GitHub login of someone who has signed in to Nightshift at least once. */
  login: z.string().min(1).max(39),
  role: Role.default("member"),
});
export type AddMemberRequest = z.infer<typeof AddMemberRequest>;

export const UpdateMemberRequest = z.strictObject({ role: Role });
export type UpdateMemberRequest = z.infer<typeof UpdateMemberRequest>;

// ---------- API keys ----------

export const API_KEY_PREFIX = "nsk_";

/**
 * What a key may do besides the whole API: "automations:trigger" starts any of the tenant's
 * webhook automations (POST /webhooks/in/:id with `Authorization: Bearer`), and
 * "automations:trigger:<automationId>" only that one. A scoped key is refused on /api/v1.
 */
export const ApiKeyScope = z
  .string()
  .regex(
    /^automations:trigger(?::[0-9a-z]{26})?$/,
    'must be "automations:trigger" or "automations:trigger:<automation id>"',
  );
export type ApiKeyScope = z.infer<typeof ApiKeyScope>;

export const ApiKey = z.object({
  id: z.string(),
  name: z.string(),
  /** The public start of the key (e.g. `nsk_3fa9c2d1`), enough to recognise it, useless to use it. */
  prefix: z.string(),
  role: Role,
  createdBy: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  /** Absent: the whole API at `role`. */
  scope: ApiKeyScope.optional(),
});
export type ApiKey = z.infer<typeof ApiKey>;

export const CreateApiKeyRequest = z.strictObject({
  name: z.string().trim().min(1).max(100),
  /** Defaults to the creator's role; never above it. */
  role: Role.optional(),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
  /** Only triggering automations (admins); absent: the whole API. */
  scope: ApiKeyScope.optional(),
});
export type CreateApiKeyRequest = z.infer<typeof CreateApiKeyRequest>;

export const CreateApiKeyResponse = z.object({
  apiKey: ApiKey,
  /** The full key. Shown this once; only its hash is stored. */
  key: z.string(),
});
export type CreateApiKeyResponse = z.infer<typeof CreateApiKeyResponse>;

export const ListApiKeysResponse = z.object({ apiKeys: z.array(ApiKey) });
export type ListApiKeysResponse = z.infer<typeof ListApiKeysResponse>;

// ---------- secrets ----------

export const SECRET_NAME_MAX = 128;
export const SECRET_VALUE_MAX_BYTES = 32 * 1024;
export const SECRETS_PER_TENANT_MAX = 500;

export const SecretName = z
  .string()
  .max(SECRET_NAME_MAX)
  .regex(/^[A-Z_][A-Z0-9_]*$/, "use uppercase letters, digits and '_', not starting with a digit");
export type SecretName = z.infer<typeof SecretName>;

/**
 * A repository as secrets name it: `github:<owner>/<name>` (lowercase) or `local:<path>`.
 * No `|`, which separates the fields of a secret's associated data.
 */
export const RepoKey = z
  .string()
  .max(600)
  .regex(
    /^(github:[a-z0-9_.-]+\/[a-z0-9_.-]+|local:[A-Za-z0-9_.\-/]+)$/,
    "use 'github:<owner>/<name>' (lowercase) or 'local:<path>'",
  )
  .refine(
    (k) =>
      !k
        .replace(/^[a-z]+:/, "")
        .split("/")
        .includes(".."),
    "must not contain '..'",
  );
export type RepoKey = z.infer<typeof RepoKey>;

export const SecretScopeQuery = z.strictObject({ repo: RepoKey.optional() });
export type SecretScopeQuery = z.infer<typeof SecretScopeQuery>;

export const PutSecretRequest = z.strictObject({
  /**
   * Only sessions started by an owner or admin get this secret in their sandbox. Absent on an
   * update keeps the current setting, so rotating a value never widens who receives it.
   */
  adminOnly: z.boolean().optional(),
  value: z
    .string()
    .min(1, "must not be empty")
    .refine(
      (v) => new TextEncoder().encode(v).byteLength <= SECRET_VALUE_MAX_BYTES,
      `must be at most ${SECRET_VALUE_MAX_BYTES} bytes`,
    ),
});
export type PutSecretRequest = z.infer<typeof PutSecretRequest>;

/** What the API shows of a secret: never its value. */
export const SecretMeta = z.object({
  name: z.string(),
  scope: z.enum(["tenant", "repo"]),
  repo: z.string().nullable(),
  /** Injected only into sessions an owner or admin started (absent from older servers: false). */
  adminOnly: z.boolean().default(false),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type SecretMeta = z.infer<typeof SecretMeta>;

export const ListSecretsResponse = z.object({ secrets: z.array(SecretMeta) });
export type ListSecretsResponse = z.infer<typeof ListSecretsResponse>;

// ---------- audit ----------

export const AUDIT_ACTIONS = [
  "auth.sign_in",
  "tenant.created",
  "api_key.created",
  "api_key.revoked",
  "secret.set",
  "secret.deleted",
  "member.added",
  "member.role_changed",
  "member.removed",
  "session.created",
  "session.stopped",
  "github.connected",
  "github.disconnected",
  "linear.connected",
  "linear.disconnected",
  "linear.user_linked",
  "slack.connected",
  "slack.disconnected",
  "slack.user_linked",
  "sandbox.credential_refused",
  "sandbox.git_push_allowed",
  "sandbox.git_push_refused",
  "settings.egress_changed",
  "settings.model_changed",
  "settings.budget_changed",
  "settings.sandbox_changed",
  "settings.agents_changed",
  "model_account.set",
  "model_account.deleted",
  "automation.created",
  "automation.updated",
  "automation.deleted",
  "automation.secret_rotated",
] as const;
export const AuditAction = z.enum(AUDIT_ACTIONS);
export type AuditAction = z.infer<typeof AuditAction>;

export const AuditEntry = z.object({
  id: z.string(),
  tenantId: z.string(),
  actor: z.object({ type: z.enum(["user", "api_key", "system"]), id: z.string(), name: z.string() }),
  action: AuditAction,
  target: z.object({ type: z.string(), id: z.string() }),
  detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  createdAt: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const ListAuditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
  action: AuditAction.optional(),
});
export type ListAuditQuery = z.infer<typeof ListAuditQuery>;

export const ListAuditResponse = z.object({
  entries: z.array(AuditEntry),
  nextCursor: z.string().nullable(),
});
export type ListAuditResponse = z.infer<typeof ListAuditResponse>;
