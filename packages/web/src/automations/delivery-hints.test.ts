// @vitest-environment node
/**
 * The curl hint the dashboard shows after create is run as it is, by bash with the real openssl
 * and curl, against a loopback server that checks the delivery the Standard Webhooks way.
 */
import { execFile } from "node:child_process";
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { curlHint, shellQuote } from "./delivery-hints";

// The secret of the Standard Webhooks reference test vectors.
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

interface Delivery {
  headers: IncomingHttpHeaders;
  body: string;
}

const deliveries: Delivery[] = [];
const server = createServer((req, res) => {
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (chunk: string) => {
    body += chunk;
  });
  req.on("end", () => {
    deliveries.push({ headers: req.headers, body });
    res.writeHead(202, { "content-type": "application/json" }).end('{"ok":true}');
  });
});
let url = "";

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/in/01jd00000000000000000auto01`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Standard Webhooks: HMAC-SHA256 of "id.timestamp.body" keyed with the base64 part of the secret. */
function signatureValid(d: Delivery): boolean {
  const id = String(d.headers["webhook-id"] ?? "");
  const ts = String(d.headers["webhook-timestamp"] ?? "");
  const key = Buffer.from(SECRET.slice("whsec_".length), "base64");
  const expected = createHmac("sha256", key).update(`${id}.${ts}.${d.body}`).digest();
  return String(d.headers["webhook-signature"] ?? "")
    .split(" ")
    .some((sig) => {
      const [version, value] = sig.split(",");
      const got = Buffer.from(value ?? "", "base64");
      return version === "v1" && got.length === expected.length && timingSafeEqual(got, expected);
    });
}

function runBash(script: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile("bash", ["-c", script], { timeout: 15_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve({ stdout, stderr }),
    );
  });
}

describe("the curl hint", () => {
  it("sends a delivery whose Standard Webhooks signature verifies, with a fresh timestamp", async () => {
    const before = deliveries.length;
    const { stdout } = await runBash(curlHint(url, SECRET, '{"check":"lint","note":"it\'s red"}'));
    expect(stdout).toBe('{"ok":true}');
    const d = deliveries[before];
    expect(d).toBeDefined();
    expect(d!.body).toBe('{"check":"lint","note":"it\'s red"}');
    expect(d!.headers["content-type"]).toBe("application/json");
    expect(d!.headers["webhook-id"]).toMatch(/^msg_\d+_\d+$/);
    expect(Math.abs(Number(d!.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(60);
    expect(signatureValid(d!)).toBe(true);
  });

  it("would not verify with another secret (the check above can fail)", async () => {
    const before = deliveries.length;
    await runBash(curlHint(url, "whsec_c29tZS1vdGhlci1zZWNyZXQtMTIzNDU2Nzg5MA=="));
    expect(signatureValid(deliveries[before]!)).toBe(false);
  });

  it("quotes for the shell so nothing in a value is expanded", async () => {
    const { stdout } = await runBash(`printf %s ${shellQuote("$(id) `x` it's \\n")}`);
    expect(stdout).toBe("$(id) `x` it's \\n");
  });
});
