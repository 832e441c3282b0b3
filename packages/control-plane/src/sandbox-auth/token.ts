/**
 * Sandbox tokens: short-lived HS256 JWTs a sandbox presents on /sandbox/*. Audience "sandbox",
 * subject the session, a tenant claim, and a per-incarnation `jti`. The DO keeps only the
 * SHA-256 of the current incarnation's jti, so a leaked DO row cannot mint or replay anything.
 */
import { errors, jwtVerify, SignJWT } from "jose";

export const SANDBOX_AUDIENCE = "sandbox";
const ISSUER = "nightshift";
/** A sandbox token lives at most an hour; the session renews it over the bridge at half-life. */
export const SANDBOX_TOKEN_TTL_SECONDS = 60 * 60;

export interface SandboxClaims {
  sessionId: string;
  tenantId: string;
  jti: string;
  /** When the presented token was issued (seconds since the epoch); set by verify. */
  issuedAt?: number;
}

export interface IssuedToken {
  token: string;
  /** Seconds since the epoch. */
  issuedAt: number;
  expiresAt: number;
}

/** Renew once half the token's life has passed: leaves half an hour for a renewal to arrive. */
export function isRenewalDue(issuedAt: number, nowMs: number): boolean {
  return nowMs / 1000 >= issuedAt + SANDBOX_TOKEN_TTL_SECONDS / 2;
}

export type VerifyResult = { ok: true; claims: SandboxClaims } | { ok: false; reason: string };

function keyOf(secret: string): Uint8Array {
  if (secret.length < 32) throw new Error("SANDBOX_TOKEN_SECRET must be at least 32 characters");
  return new TextEncoder().encode(secret);
}

export async function mintSandboxToken(
  secret: string,
  claims: SandboxClaims,
  ttlSeconds: number,
): Promise<string> {
  return (await issueSandboxToken(secret, claims, ttlSeconds, Date.now())).token;
}

/** Mints a token issued at `nowMs`; a renewal keeps the jti, so the incarnation stays the same. */
export async function issueSandboxToken(
  secret: string,
  claims: SandboxClaims,
  ttlSeconds: number,
  nowMs: number,
): Promise<IssuedToken> {
  const issuedAt = Math.floor(nowMs / 1000);
  const expiresAt = issuedAt + ttlSeconds;
  const token = await new SignJWT({ tenant: claims.tenantId })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(ISSUER)
    .setAudience(SANDBOX_AUDIENCE)
    .setSubject(claims.sessionId)
    .setJti(claims.jti)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .sign(keyOf(secret));
  return { token, issuedAt, expiresAt };
}

export async function verifySandboxToken(secret: string, token: string): Promise<VerifyResult> {
  try {
    const { payload } = await jwtVerify(token, keyOf(secret), {
      audience: SANDBOX_AUDIENCE,
      issuer: ISSUER,
      algorithms: ["HS256"],
    });
    const tenant = payload.tenant;
    if (typeof payload.sub !== "string" || typeof payload.jti !== "string" || typeof tenant !== "string") {
      return { ok: false, reason: "token is missing its session, tenant or incarnation claim" };
    }
    return {
      ok: true,
      claims: {
        sessionId: payload.sub,
        tenantId: tenant,
        jti: payload.jti,
        ...(typeof payload.iat === "number" ? { issuedAt: payload.iat } : {}),
      },
    };
  } catch (err) {
    if (err instanceof errors.JWTExpired) return { ok: false, reason: "sandbox token has expired" };
    if (err instanceof errors.JWTClaimValidationFailed)
      return { ok: false, reason: `sandbox token ${err.claim} is wrong` };
    return { ok: false, reason: "sandbox token is invalid" };
  }
}

/** Reads `Authorization: Bearer <token>`; null when absent or malformed. */
export function bearerToken(header: string | null | undefined): string | null {
  const m = header?.match(/^Bearer\s+([A-Za-z0-9._~+/=-]+)$/);
  return m?.[1] ?? null;
}
