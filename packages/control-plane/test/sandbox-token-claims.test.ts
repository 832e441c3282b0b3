/**
 * A sandbox token is only what the sandbox auth module mints: signed with the sandbox secret, for
 * the "sandbox" audience, from the "nightshift" issuer, naming its session, tenant and incarnation.
 * A JWT signed with the same secret for another purpose must not open the bridge.
 */
import { BridgeCloseCode } from "@nightshift/protocol";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { createSession } from "./helpers";
import { SandboxClient, TEST_SANDBOX_SECRET, useIncarnation } from "./sandbox-client";

async function token(claims: { aud?: string; iss?: string; sub?: string; tenant?: string; jti?: string }) {
  let jwt = new SignJWT(claims.tenant === undefined ? {} : { tenant: claims.tenant })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt()
    .setExpirationTime("10m");
  if (claims.aud) jwt = jwt.setAudience(claims.aud);
  if (claims.iss) jwt = jwt.setIssuer(claims.iss);
  if (claims.sub) jwt = jwt.setSubject(claims.sub);
  if (claims.jti) jwt = jwt.setJti(claims.jti);
  return jwt.sign(new TextEncoder().encode(TEST_SANDBOX_SECRET));
}

describe("sandbox token claims", () => {
  it("a token for another audience or issuer, or missing a claim, is refused with 4001", async () => {
    const s = await createSession("check my token's claims");
    const jti = "inc-claims-1.c0de";
    await useIncarnation(s, jti);
    const good = { aud: "sandbox", iss: "nightshift", sub: s.id, tenant: s.tenantId, jti };

    const accepted = await SandboxClient.connect(await token(good));
    accepted.send({ v: 1, type: "hello", runtimeVersion: "test", lastSeq: 0 });
    await accepted.waitFor("welcome");
    accepted.close();

    for (const bad of [
      { ...good, aud: "nightshift-session" },
      { ...good, aud: undefined },
      { ...good, iss: "someone-else" },
      { ...good, tenant: undefined },
      { ...good, jti: undefined },
    ]) {
      const client = await SandboxClient.connect(await token(bad));
      expect(await client.waitForClose()).toBe(BridgeCloseCode.unauthorized);
    }
  });
});
