/**
 * Verifies a signed host request: `x-nightshift-timestamp` (unix seconds) within the allowed
 * skew, `x-nightshift-signature` equal (in constant time) to the HMAC of
 * `hostSigningString(ts, method, pathWithQuery, rawBody)`, and, for requests that change
 * something, not seen before in the window. Safe methods (GET, HEAD) may repeat: the signing
 * string has no nonce, so two identical reads in the same second sign the same, and replaying a
 * read changes nothing. A replayed POST would start a sandbox again, so it is refused.
 */
import { timingSafeEqual } from "node:crypto";
import { hostSigningString, signHostRequest } from "@nightshift/protocol";
import { HostError } from "../http/host-error";
import type { ReplayGuard } from "./replay-guard";

export interface SignedRequest {
  method: string;
  pathWithQuery: string;
  body: string;
  timestamp: string | undefined;
  signature: string | undefined;
}

export interface VerifyOptions {
  secret: string;
  maxSkewS: number;
  guard: ReplayGuard;
  nowMs: number;
}

const SIGNATURE = /^v1=[0-9a-f]{64}$/;

export async function verifySignedRequest(request: SignedRequest, options: VerifyOptions): Promise<void> {
  if (!request.timestamp || !request.signature) {
    throw new HostError(
      "unauthorized",
      "missing x-nightshift-timestamp or x-nightshift-signature; sign every request",
    );
  }
  if (!/^\d{1,12}$/.test(request.timestamp)) {
    throw new HostError("unauthorized", "x-nightshift-timestamp must be unix seconds");
  }
  const skew = Math.round(options.nowMs / 1000 - Number(request.timestamp));
  if (Math.abs(skew) > options.maxSkewS) {
    throw new HostError(
      "unauthorized",
      `stale request: its timestamp is ${Math.abs(skew)} s ${skew > 0 ? "behind" : "ahead of"} the sandbox host's clock (allowed ±${options.maxSkewS} s); check the clocks of both machines`,
    );
  }
  if (!SIGNATURE.test(request.signature)) {
    throw new HostError("unauthorized", "malformed x-nightshift-signature; expected v1=<64 hex digits>");
  }
  const expected = await signHostRequest(
    options.secret,
    hostSigningString(request.timestamp, request.method, request.pathWithQuery, request.body),
  );
  if (!timingSafeEqual(Buffer.from(expected), Buffer.from(request.signature))) {
    throw new HostError(
      "unauthorized",
      "bad signature; check that both sides use the same NIGHTSHIFT_HOST_SECRET",
    );
  }
  if (request.method === "GET" || request.method === "HEAD") return;
  const expiresAtMs = (Number(request.timestamp) + options.maxSkewS) * 1000;
  const seen = options.guard.check(request.signature, expiresAtMs, options.nowMs);
  if (seen === "replay")
    throw new HostError("unauthorized", "replayed request: this signature was already used");
  if (seen === "full")
    throw new HostError("rate_limited", "too many signed requests in the replay window; retry shortly");
}
