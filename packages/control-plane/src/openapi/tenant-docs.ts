/** OpenAPI descriptions of one tenant: the tenant itself, members, API keys, secrets, audit. */
import {
  AddMemberRequest,
  ApiKey,
  CreateApiKeyRequest,
  CreateApiKeyResponse,
  DeleteTenantQuery,
  ListApiKeysResponse,
  ListAuditQuery,
  ListAuditResponse,
  ListMembersResponse,
  ListSecretsResponse,
  Member,
  PutSecretRequest,
  SecretMeta,
  SecretName,
  SecretScopeQuery,
  TenantWithRole,
  UpdateMemberRequest,
} from "@nightshift/protocol";
import { z } from "zod";
import { noContent, type RouteDocs, T } from "./route-doc";

const KeyId = z
  .string()
  .regex(/^[0-9a-z]{26}$/)
  .describe("the API key's id");
const UserId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/)
  .describe("the member's user id");

export const tenantDocs: RouteDocs = {
  [`GET ${T}`]: {
    summary: "Read the tenant, with the caller's role in it",
    tag: "tenants",
    access: "tenant",
    responses: { 200: { description: "the tenant", schema: TenantWithRole } },
  },
  [`DELETE ${T}`]: {
    summary: "Delete the tenant and everything in it (owners)",
    description: "Irreversible: repeat the tenant's slug as `?confirm=<slug>`.",
    tag: "tenants",
    access: "tenant",
    query: DeleteTenantQuery,
    responses: noContent("deleted"),
  },
  [`GET ${T}/members`]: {
    summary: "List the tenant's members",
    tag: "members",
    access: "tenant",
    responses: { 200: { description: "the members", schema: ListMembersResponse } },
  },
  [`POST ${T}/members`]: {
    summary: "Add someone who has signed in before (admins)",
    tag: "members",
    access: "tenant",
    body: AddMemberRequest,
    responses: { 201: { description: "added", schema: Member } },
    errors: [409],
  },
  [`PATCH ${T}/members/:userId`]: {
    summary: "Change a member's role (admins; owners for owners)",
    tag: "members",
    access: "tenant",
    params: { userId: UserId },
    body: UpdateMemberRequest,
    responses: { 200: { description: "the member", schema: Member } },
    errors: [409],
  },
  [`DELETE ${T}/members/:userId`]: {
    summary: "Remove a member",
    tag: "members",
    access: "tenant",
    params: { userId: UserId },
    responses: noContent("removed"),
    errors: [409],
  },
  [`GET ${T}/api-keys`]: {
    summary: "List API keys (members see their own, admins all)",
    tag: "api-keys",
    access: "tenant",
    responses: { 200: { description: "the keys, without their secret part", schema: ListApiKeysResponse } },
  },
  [`POST ${T}/api-keys`]: {
    summary: "Create an API key (signed-in users only; shown once)",
    description:
      "The key's role defaults to the creator's and is never above it. API keys cannot create keys.",
    tag: "api-keys",
    access: "tenant",
    body: CreateApiKeyRequest,
    responses: { 201: { description: "the key, in this answer only", schema: CreateApiKeyResponse } },
  },
  [`DELETE ${T}/api-keys/:keyId`]: {
    summary: "Revoke an API key",
    tag: "api-keys",
    access: "tenant",
    params: { keyId: KeyId },
    responses: { 200: { description: "the revoked key", schema: ApiKey } },
  },
  [`GET ${T}/secrets`]: {
    summary: "List secrets (names and scopes; values are write-only)",
    tag: "secrets",
    access: "tenant",
    responses: { 200: { description: "the secrets", schema: ListSecretsResponse } },
  },
  [`PUT ${T}/secrets/:name`]: {
    summary: "Set a secret, tenant-wide or for one repository (`?repo=`)",
    tag: "secrets",
    access: "tenant",
    params: { name: SecretName },
    query: SecretScopeQuery,
    body: PutSecretRequest,
    responses: {
      200: { description: "replaced", schema: SecretMeta },
      201: { description: "created", schema: SecretMeta },
    },
    errors: [409],
  },
  [`DELETE ${T}/secrets/:name`]: {
    summary: "Delete a secret",
    tag: "secrets",
    access: "tenant",
    params: { name: SecretName },
    query: SecretScopeQuery,
    responses: noContent("deleted"),
  },
  [`GET ${T}/audit`]: {
    summary: "The tenant's audit log, newest first (admins)",
    tag: "audit",
    access: "tenant",
    query: ListAuditQuery,
    responses: { 200: { description: "one page of entries", schema: ListAuditResponse } },
  },
};
