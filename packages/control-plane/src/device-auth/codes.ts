/**
 * The device sign-in's two codes. The device code is the CLI's bearer secret (256 random bits);
 * the user code is what a person compares between terminal and browser (8 of 20 consonants,
 * ~34.6 bits, RFC 8628 §6.1): guessing one is bounded by its 10-minute life and by the rate limit
 * on code entry. Both are stored as SHA-256 only.
 */
import { USER_CODE_ALPHABET, USER_CODE_LENGTH } from "@nightshift/protocol";
import { randomBytes, sha256Hex, toBase64Url } from "../secrets/encoding";

export function newDeviceCode(): string {
  return toBase64Url(randomBytes(32));
}

/** Uniform over the alphabet: bytes at or above the largest multiple of 20 are drawn again. */
export function newUserCode(): string {
  const limit = 256 - (256 % USER_CODE_ALPHABET.length);
  let code = "";
  while (code.length < USER_CODE_LENGTH) {
    for (const byte of randomBytes(USER_CODE_LENGTH * 2)) {
      if (byte < limit && code.length < USER_CODE_LENGTH)
        code += USER_CODE_ALPHABET[byte % USER_CODE_ALPHABET.length];
    }
  }
  return code;
}

/** Domain-separated, so a device code can never be confused with a user code or an API key hash. */
export function hashDeviceCode(code: string): Promise<string> {
  return sha256Hex(`device:${code}`);
}

export function hashUserCode(normalized: string): Promise<string> {
  return sha256Hex(`user:${normalized}`);
}

export function hashRequester(address: string): Promise<string> {
  return sha256Hex(`requester:${address}`);
}
