/**
 * Seals and opens a user's GitHub token with the same envelope as tenant secrets: a fresh data
 * key per token, wrapped by the master keyring, and associated data naming the user, so a row
 * copied to another user does not open.
 */
import type { GithubUserTokenRow } from "../db/repositories/users";
import { createWrappedDataKey, openValue, type SecretAddress, sealValue, unwrapDataKey } from "./envelope";
import type { Keyring } from "./keyring";

function owner(userId: string): string {
  return `user:${userId}`;
}

function address(userId: string): SecretAddress {
  return { tenantId: owner(userId), scope: "tenant", repoKey: "", name: "github_user_token" };
}

export async function sealUserToken(
  ring: Keyring,
  userId: string,
  token: string,
): Promise<Pick<GithubUserTokenRow, "kid" | "wrappedKey" | "ciphertext">> {
  const wrapped = await createWrappedDataKey(ring, owner(userId));
  const key = await unwrapDataKey(ring, owner(userId), wrapped);
  return { ...wrapped, ciphertext: await sealValue(key, address(userId), token) };
}

export async function openUserToken(ring: Keyring, row: GithubUserTokenRow): Promise<string> {
  const key = await unwrapDataKey(ring, owner(row.userId), { kid: row.kid, wrappedKey: row.wrappedKey });
  return openValue(key, address(row.userId), row.ciphertext);
}
