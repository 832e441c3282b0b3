/**
 * The signed `state` an integration's install round trip carries through the provider (GitHub,
 * Slack, Linear): who started it (tenant + user), for which integration (the JWT audience), until
 * when. Signed with the session key, so nobody else can mint one.
 */
import { jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import type { Actor } from "../env";

const InstallStateClaims = z.object({ tenantId: z.string().min(1), userId: z.string().min(1) });
export type InstallState = z.infer<typeof InstallStateClaims>;

/** A state for `audience` (such as `nightshift-slack-install`) that expires after `ttl` (such as `15m`). */
export function signInstallState(
  sessionKey: Uint8Array,
  audience: string,
  ttl: string,
  actor: Actor,
): Promise<string> {
  return new SignJWT({ tenantId: actor.tenantId, userId: actor.userId })
    .setProtectedHeader({ alg: "HS256" })
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(sessionKey);
}

/** The tenant and user a state was issued to; null when forged, expired, malformed or for another audience. */
export async function readInstallState(
  sessionKey: Uint8Array,
  audience: string,
  state: string,
): Promise<InstallState | null> {
  try {
    const { payload } = await jwtVerify(state, sessionKey, { algorithms: ["HS256"], audience });
    const claims = InstallStateClaims.safeParse(payload);
    return claims.success ? claims.data : null;
  } catch {
    return null;
  }
}
