/**
 * The GitHub App's key pair and the check GitHub makes on an App JWT: RS256 signed by the App's
 * private key, `iss` = the App id or client id, `exp` in the future and at most ten minutes after
 * `iat`. The private key is exported as PKCS#1 (`BEGIN RSA PRIVATE KEY`), as GitHub hands it out.
 */
import { generateKeyPairSync, type KeyObject, verify } from "node:crypto";
import { GithubApiError } from "./http-io";

export interface AppKeyPair {
  /** PKCS#1 PEM, exactly the shape of the `.pem` file GitHub lets you download. */
  privateKeyPem: string;
  publicKey: KeyObject;
}

export function generateAppKeyPair(): AppKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    publicKey,
  };
}

const MAX_LIFETIME_S = 10 * 60;
/** GitHub tolerates a little clock drift on `iat`; clients backdate it by 60 s. */
const IAT_SKEW_S = 60;

function decodeSegment(segment: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
  if (!parsed || typeof parsed !== "object") throw new Error("not an object");
  return parsed as Record<string, unknown>;
}

/**
 * Verifies an App JWT; throws a 401 GithubApiError with GitHub's wording otherwise.
 * `nowMs` is injected so tests can move the clock.
 */
export function verifyAppJwt(
  jwt: string,
  app: { appId: number; clientId: string; publicKey: KeyObject },
  nowMs: number,
): void {
  const parts = jwt.split(".");
  if (parts.length !== 3) throw new GithubApiError(401, "A JSON web token could not be decoded");
  const [head, body, signature] = parts as [string, string, string];
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    header = decodeSegment(head);
    claims = decodeSegment(body);
  } catch {
    throw new GithubApiError(401, "A JSON web token could not be decoded");
  }
  if (header.alg !== "RS256") throw new GithubApiError(401, "'alg' must be RS256");
  const valid = verify(
    "sha256",
    Buffer.from(`${head}.${body}`),
    app.publicKey,
    Buffer.from(signature, "base64url"),
  );
  if (!valid) throw new GithubApiError(401, "A JSON web token could not be decoded");
  const iss = claims.iss;
  if (String(iss) !== String(app.appId) && iss !== app.clientId)
    throw new GithubApiError(401, "'Issuer' claim ('iss') must be an Integer or a client ID");
  const now = Math.floor(nowMs / 1000);
  const iat = Number(claims.iat);
  const exp = Number(claims.exp);
  if (!Number.isFinite(iat) || iat > now + IAT_SKEW_S)
    throw new GithubApiError(
      401,
      "'Issued at' claim ('iat') must be an Integer representing a time in the past",
    );
  if (!Number.isFinite(exp) || exp <= now)
    throw new GithubApiError(401, "'Expiration time' claim ('exp') is too far in the future or expired");
  if (exp - iat > MAX_LIFETIME_S + IAT_SKEW_S)
    throw new GithubApiError(401, "'Expiration time' claim ('exp') is too far in the future");
}
