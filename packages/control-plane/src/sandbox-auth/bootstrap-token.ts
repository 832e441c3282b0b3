/**
 * Bootstrap tokens: the one credential in a provider's create request. An HS256 JWT signed with
 * SANDBOX_TOKEN_SECRET but with its own audience ("sandbox-bootstrap") and header type, so it is
 * never accepted where a sandbox token is (and a sandbox token never passes here). Subject the
 * session, a tenant claim, the incarnation it was minted for (`inc`: the jti the sandbox token
 * will carry), its own random jti (spent once in the session's DO), and a 15 minute life.
 */
import { errors, jwtVerify, SignJWT } from "jose";

export const BOOTSTRAP_AUDIENCE = "sandbox-bootstrap";
const BOOTSTRAP_TYPE = "nightshift-bootstrap+jwt";
const ISSUER = "nightshift";
/**
 * Long enough for a cloud provider to pull an image and boot (minutes), short enough that a
 * token read from a provider's dashboard or API log later is dead.
 */
export const BOOTSTRAP_TOKEN_TTL_SECONDS = 15 * 60;

export interface BootstrapClaims {
  sessionId: string;
  tenantId: string;
  /** The sandbox token jti of the incarnation the token was minted for (its SHA-256 is the DO's incarnation hash). */
  incarnation: string;
  /** This token's own id, spent once. */
  jti: string;
}

/** What verify returns: the claims plus the expiry, so the spent jti is kept exactly as long as it could be presented. */
export interface VerifiedBootstrap extends BootstrapClaims {
  /** Seconds since the epoch. */
  expiresAt: number;
}

export type BootstrapVerifyResult = { ok: true; claims: VerifiedBootstrap } | { ok: false; reason: string };

function keyOf(secret: string): Uint8Array {
  if (secret.length < 32) throw new Error("SANDBOX_TOKEN_SECRET must be at least 32 characters");
  return new TextEncoder().encode(secret);
}

export async function mintBootstrapToken(
  secret: string,
  claims: BootstrapClaims,
  nowMs: number,
  ttlSeconds = BOOTSTRAP_TOKEN_TTL_SECONDS,
): Promise<{ token: string; expiresAt: number }> {
  const issuedAt = Math.floor(nowMs / 1000);
  const expiresAt = issuedAt + ttlSeconds;
  const token = await new SignJWT({ tenant: claims.tenantId, inc: claims.incarnation })
    .setProtectedHeader({ alg: "HS256", typ: BOOTSTRAP_TYPE })
    .setIssuer(ISSUER)
    .setAudience(BOOTSTRAP_AUDIENCE)
    .setSubject(claims.sessionId)
    .setJti(claims.jti)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .sign(keyOf(secret));
  return { token, expiresAt };
}

export async function verifyBootstrapToken(
  secret: string,
  token: string,
  nowMs: number = Date.now(),
): Promise<BootstrapVerifyResult> {
  try {
    const { payload } = await jwtVerify(token, keyOf(secret), {
      audience: BOOTSTRAP_AUDIENCE,
      issuer: ISSUER,
      typ: BOOTSTRAP_TYPE,
      algorithms: ["HS256"],
      currentDate: new Date(nowMs),
    });
    const { sub, jti, tenant, inc, exp } = payload;
    if (
      typeof sub !== "string" ||
      typeof jti !== "string" ||
      typeof tenant !== "string" ||
      typeof inc !== "string" ||
      typeof exp !== "number"
    ) {
      return { ok: false, reason: "bootstrap token is missing its session, tenant or incarnation claim" };
    }
    return {
      ok: true,
      claims: { sessionId: sub, tenantId: tenant, incarnation: inc, jti, expiresAt: exp },
    };
  } catch (err) {
    if (err instanceof errors.JWTExpired) return { ok: false, reason: "bootstrap token has expired" };
    if (err instanceof errors.JWTClaimValidationFailed)
      return { ok: false, reason: `this is not a bootstrap token (its ${err.claim} is wrong)` };
    return { ok: false, reason: "bootstrap token is invalid" };
  }
}
