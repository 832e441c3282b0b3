/**
 * The master keyring from the `SECRETS_MASTER_KEYS` Worker secret:
 * `kid:base64key[,kid:base64key...]`, each key 32 random bytes. The first entry wraps new data
 * keys; the others only unwrap, until the rotation command has re-wrapped everything under the
 * first and they can be removed.
 */
import { z } from "zod";
import { fromBase64 } from "./encoding.ts";
import { SecretsConfigError } from "./errors.ts";

export interface Keyring {
  currentKid: string;
  keys: ReadonlyMap<string, CryptoKey>;
}

const KID = /^[A-Za-z0-9._-]{1,32}$/;

const Entry = z.string().transform((raw, ctx) => {
  const at = raw.indexOf(":");
  const kid = raw.slice(0, at).trim();
  const bytes = at > 0 ? fromBase64(raw.slice(at + 1)) : null;
  if (at <= 0 || !KID.test(kid)) {
    ctx.addIssue({
      code: "custom",
      message: "each entry must be 'kid:base64key' with kid of [A-Za-z0-9._-]",
    });
    return z.NEVER;
  }
  if (bytes?.byteLength !== 32) {
    ctx.addIssue({
      code: "custom",
      message: `key '${kid}' must be 32 bytes, base64-encoded (openssl rand -base64 32)`,
    });
    return z.NEVER;
  }
  return { kid, bytes };
});

const KeyringSpec = z
  .string({ error: "SECRETS_MASTER_KEYS is not set" })
  .min(1, "SECRETS_MASTER_KEYS is empty")
  .transform((s) => s.split(",").filter((e) => e.trim().length > 0))
  .pipe(z.array(Entry).min(1, "SECRETS_MASTER_KEYS has no keys"))
  .refine((entries) => new Set(entries.map((e) => e.kid)).size === entries.length, "key ids must be unique");

const cache = new Map<string, Promise<Keyring>>();

/** Parses and imports the keyring once per distinct value; the message never includes key material. */
export function loadKeyring(spec: string | undefined): Promise<Keyring> {
  const parsed = KeyringSpec.safeParse(spec);
  if (!parsed.success) {
    const reason = parsed.error.issues[0]?.message ?? "invalid";
    return Promise.reject(
      new SecretsConfigError(
        `secrets are unavailable: ${reason}. See docs/security.md ("Secret encryption").`,
      ),
    );
  }
  const key = spec as string;
  let ring = cache.get(key);
  if (!ring) {
    ring = importKeyring(parsed.data);
    cache.set(key, ring);
  }
  return ring;
}

async function importKeyring(entries: { kid: string; bytes: Uint8Array }[]): Promise<Keyring> {
  const keys = new Map<string, CryptoKey>();
  for (const { kid, bytes } of entries) {
    keys.set(kid, await crypto.subtle.importKey("raw", bytes, "AES-GCM", false, ["encrypt", "decrypt"]));
  }
  const first = entries[0];
  if (!first) throw new SecretsConfigError("SECRETS_MASTER_KEYS has no keys");
  return { currentKid: first.kid, keys };
}
