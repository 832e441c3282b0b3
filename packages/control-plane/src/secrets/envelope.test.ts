/**
 * Each layer of the envelope binds its ciphertext to the tenant on its own, so neither layer leans
 * on the other: a wrapped data key opens only for the tenant it was made for, and a value sealed
 * for one tenant does not open under another tenant's address even with the same data key.
 */
import { describe, expect, it } from "vitest";
import { createWrappedDataKey, openValue, type SecretAddress, sealValue, unwrapDataKey } from "./envelope";
import { SecretsCryptoError } from "./errors";
import { loadKeyring } from "./keyring";

const MASTER = "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

describe("secret envelope", () => {
  it("a data key wrapped for one tenant does not unwrap for another", async () => {
    const ring = await loadKeyring(MASTER);
    const wrapped = await createWrappedDataKey(ring, "tenant-a");
    await expect(unwrapDataKey(ring, "tenant-a", wrapped)).resolves.toBeDefined();
    await expect(unwrapDataKey(ring, "tenant-b", wrapped)).rejects.toThrow(SecretsCryptoError);
  });

  it("a value sealed for one tenant does not open under another tenant's address, even with the same key", async () => {
    const ring = await loadKeyring(MASTER);
    const key = await unwrapDataKey(ring, "tenant-a", await createWrappedDataKey(ring, "tenant-a"));
    const address: SecretAddress = {
      tenantId: "tenant-a",
      scope: "repo",
      repoKey: "github:acme/app",
      name: "TOKEN",
    };
    const sealed = await sealValue(key, address, "s3cret-value");
    await expect(openValue(key, address, sealed)).resolves.toBe("s3cret-value");
    for (const moved of [
      { ...address, tenantId: "tenant-b" },
      { ...address, scope: "tenant" as const },
      { ...address, repoKey: "github:acme/other" },
      { ...address, name: "OTHER" },
    ])
      await expect(openValue(key, moved, sealed)).rejects.toThrow(SecretsCryptoError);
  });
});
