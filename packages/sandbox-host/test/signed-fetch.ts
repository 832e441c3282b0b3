/** A client for tests that signs requests exactly as the control plane's local provider does. */
import {
  hostSigningString,
  SANDBOX_HOST_SIGNATURE_HEADER,
  SANDBOX_HOST_TIMESTAMP_HEADER,
  signHostRequest,
} from "@nightshift/protocol";

export interface SignedCall {
  method: string;
  path: string;
  body?: string;
  /** Override the timestamp (seconds) to test staleness. */
  timestamp?: number;
  /** Send these headers instead of computing a signature. */
  headers?: Record<string, string>;
}

export async function signedHeaders(secret: string, call: SignedCall): Promise<Record<string, string>> {
  const ts = String(call.timestamp ?? Math.floor(Date.now() / 1000));
  const signature = await signHostRequest(
    secret,
    hostSigningString(ts, call.method, call.path, call.body ?? ""),
  );
  return { [SANDBOX_HOST_TIMESTAMP_HEADER]: ts, [SANDBOX_HOST_SIGNATURE_HEADER]: signature };
}

export async function signedFetch(baseUrl: string, secret: string, call: SignedCall): Promise<Response> {
  const headers = call.headers ?? (await signedHeaders(secret, call));
  return fetch(new URL(call.path, baseUrl), {
    method: call.method,
    headers: { "content-type": "application/json", ...headers },
    ...(call.body !== undefined && call.body !== "" ? { body: call.body } : {}),
  });
}
