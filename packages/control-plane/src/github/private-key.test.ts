import { describe, expect, it } from "vitest";
import { normalizePrivateKey, PrivateKeyFormatError } from "./private-key";

function toPem(label: string, der: ArrayBuffer): string {
  const b64 = btoa(String.fromCharCode(...new Uint8Array(der)));
  return `-----BEGIN ${label}-----\n${(b64.match(/.{1,64}/g) ?? []).join("\n")}\n-----END ${label}-----\n`;
}

/** Cuts the PKCS#1 RSAPrivateKey out of a PKCS#8 one: the last element (OCTET STRING) of the outer SEQUENCE. */
function pkcs1From(pkcs8: Uint8Array): Uint8Array {
  const lengthAt = (i: number): [number, number] => {
    const first = pkcs8[i] ?? 0;
    if (first < 0x80) return [first, 1];
    const n = first & 0x7f;
    let len = 0;
    for (let k = 1; k <= n; k++) len = (len << 8) | (pkcs8[i + k] ?? 0);
    return [len, n + 1];
  };
  let i = 1 + lengthAt(1)[1]; // inside the outer SEQUENCE
  for (let element = 0; element < 2; element++) {
    const [len, size] = lengthAt(i + 1);
    i += 1 + size + len;
  }
  const [len, size] = lengthAt(i + 1);
  return pkcs8.slice(i + 1 + size, i + 1 + size + len);
}

describe("normalizePrivateKey", () => {
  it("turns GitHub's PKCS#1 key into a PKCS#8 key Web Crypto signs with", async () => {
    const pair = (await crypto.subtle.generateKey(
      {
        name: "RSASSA-PKCS1-v1_5",
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: "SHA-256",
      },
      true,
      ["sign", "verify"],
    )) as CryptoKeyPair;
    const pkcs8 = new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer);
    const pkcs1Pem = toPem("RSA PRIVATE KEY", pkcs1From(pkcs8).buffer as ArrayBuffer);

    for (const input of [pkcs1Pem, pkcs1Pem.replace(/\n/g, "\\n")]) {
      const pem = normalizePrivateKey(input);
      expect(pem).toContain("BEGIN PRIVATE KEY");
      expect(pem).toBe(toPem("PRIVATE KEY", pkcs8.buffer as ArrayBuffer));
      const body = pem.replace(/-----[A-Z ]+-----|\s/g, "");
      const der = Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
      const key = await crypto.subtle.importKey(
        "pkcs8",
        der,
        { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
        false,
        ["sign"],
      );
      const data = new TextEncoder().encode("hello");
      const signature = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, data);
      expect(await crypto.subtle.verify("RSASSA-PKCS1-v1_5", pair.publicKey, signature, data)).toBe(true);
    }
    expect(normalizePrivateKey(toPem("PRIVATE KEY", pkcs8.buffer as ArrayBuffer))).toContain(
      "BEGIN PRIVATE KEY",
    );
  });

  it("rejects what is not an RSA private key without echoing it", () => {
    expect(() => normalizePrivateKey("secret-garbage")).toThrow(PrivateKeyFormatError);
    try {
      normalizePrivateKey("-----BEGIN EC PRIVATE KEY-----\nc2VjcmV0\n-----END EC PRIVATE KEY-----");
    } catch (error) {
      expect(String(error)).toMatch(/EC PRIVATE KEY/);
      expect(String(error)).not.toContain("c2VjcmV0");
    }
  });

  it("rejects a key cut short or padded, naming the variable, though its PEM lines look right", async () => {
    const pair = (await crypto.subtle.generateKey(
      {
        name: "RSASSA-PKCS1-v1_5",
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: "SHA-256",
      },
      true,
      ["sign", "verify"],
    )) as CryptoKeyPair;
    const pkcs8 = new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer);
    const pkcs1 = pkcs1From(pkcs8);
    const damaged = [
      toPem("RSA PRIVATE KEY", pkcs1.slice(0, pkcs1.length - 40).buffer as ArrayBuffer),
      toPem("PRIVATE KEY", pkcs8.slice(0, 600).buffer as ArrayBuffer),
      toPem("RSA PRIVATE KEY", new Uint8Array([...pkcs1, 0, 0]).buffer as ArrayBuffer),
      "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----",
    ];
    for (const pem of damaged) {
      expect(() => normalizePrivateKey(pem)).toThrow(
        /GITHUB_APP_PRIVATE_KEY is a '(RSA )?PRIVATE KEY' PEM whose body is not a whole key/,
      );
    }
  });
});
