/**
 * Signature checks for automation deliveries, against published vectors: the Standard Webhooks
 * spec's (its reference libraries' shared test: standard-webhooks/standard-webhooks,
 * libraries/javascript/src/webhook.test.ts), RFC 4231 test case 2 for Sentry's plain hex
 * HMAC-SHA256, and GitHub Docs' "Validating webhook deliveries" vector.
 */
import { describe, expect, it } from "vitest";
import {
  newAutomationSecret,
  signStandardWebhook,
  verifyGithubSignature,
  verifySentrySignature,
  verifyStandardWebhook,
} from "./signatures";

const SPEC = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};
const SIGNED_AT = new Date(SPEC.timestamp * 1000);
const OTHER_SECRET = "whsec_dGhpcyBpcyBub3QgdGhlIHNlY3JldCB5b3Ugd2FudA==";

function specHeaders(overrides: Record<string, string | null> = {}): Headers {
  const headers = new Headers({
    "webhook-id": SPEC.id,
    "webhook-timestamp": String(SPEC.timestamp),
    "webhook-signature": SPEC.signature,
  });
  for (const [name, value] of Object.entries(overrides)) {
    if (value === null) headers.delete(name);
    else headers.set(name, value);
  }
  return headers;
}

async function verdict(
  overrides: Record<string, string | null> = {},
  opts: { body?: string; secrets?: string[]; now?: Date } = {},
) {
  return verifyStandardWebhook(
    opts.body ?? SPEC.body,
    specHeaders(overrides),
    opts.secrets ?? [SPEC.secret],
    opts.now ?? SIGNED_AT,
  );
}

async function reasonOf(overrides: Record<string, string | null>, opts: Parameters<typeof verdict>[1] = {}) {
  const result = await verdict(overrides, opts);
  if (result.ok) throw new Error("expected the delivery to be refused");
  return result.reason;
}

describe("verifyStandardWebhook: the spec's vector", () => {
  it("accepts the published signature and returns the webhook id", async () => {
    expect(await verdict()).toEqual({ ok: true, webhookId: SPEC.id });
  });

  it("signs the vector to the published signature", () => {
    expect(signStandardWebhook(SPEC.secret, SPEC.id, SPEC.timestamp, SPEC.body)).toBe(SPEC.signature);
  });

  it("accepts the valid signature among several (other versions and wrong v1s ignored), as the spec's test does", async () => {
    const list = [
      "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
      "v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
      SPEC.signature,
      "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
    ].join(" ");
    expect((await verdict({ "webhook-signature": list })).ok).toBe(true);
  });

  it("reads the headers whatever their case", async () => {
    const headers = new Headers({
      "Webhook-Id": SPEC.id,
      "WEBHOOK-TIMESTAMP": String(SPEC.timestamp),
      "Webhook-Signature": SPEC.signature,
    });
    expect((await verifyStandardWebhook(SPEC.body, headers, [SPEC.secret], SIGNED_AT)).ok).toBe(true);
  });
});

describe("verifyStandardWebhook: forgeries", () => {
  it("a tampered body is refused", async () => {
    expect(await reasonOf({}, { body: '{"test": 2432232315}' })).toContain("does not match");
    expect(await reasonOf({}, { body: `${SPEC.body} ` })).toContain("does not match");
  });

  it("a signature made with another secret is refused", async () => {
    expect(await reasonOf({}, { secrets: [OTHER_SECRET] })).toContain("does not match");
  });

  it("a tampered webhook-id or timestamp breaks the signature", async () => {
    expect(await reasonOf({ "webhook-id": "msg_other" })).toContain("does not match");
    expect(await reasonOf({ "webhook-timestamp": String(SPEC.timestamp + 1) })).toContain("does not match");
  });

  it("with no secrets at all nothing verifies", async () => {
    expect(await reasonOf({}, { secrets: [] })).toContain("does not match");
  });
});

describe("verifyStandardWebhook: rotation", () => {
  it("accepts a delivery signed with any live secret, in either order", async () => {
    expect((await verdict({}, { secrets: [OTHER_SECRET, SPEC.secret] })).ok).toBe(true);
    expect((await verdict({}, { secrets: [SPEC.secret, OTHER_SECRET] })).ok).toBe(true);
  });

  it("accepts a sender that signs with both the old and the new secret", async () => {
    const both = `${signStandardWebhook(OTHER_SECRET, SPEC.id, SPEC.timestamp, SPEC.body)} ${SPEC.signature}`;
    expect((await verdict({ "webhook-signature": both }, { secrets: [SPEC.secret] })).ok).toBe(true);
  });

  it("skips a stored secret that is not whsec_<base64> instead of failing the others", async () => {
    expect((await verdict({}, { secrets: ["whsec_!!!not base64!!!", "", SPEC.secret] })).ok).toBe(true);
    expect(await reasonOf({}, { secrets: ["whsec_!!!not base64!!!"] })).toContain("does not match");
  });
});

describe("verifyStandardWebhook: the 5-minute window, both ways", () => {
  const at = (seconds: number) => new Date((SPEC.timestamp + seconds) * 1000);

  it("accepts a delivery up to 5 minutes old or 5 minutes early", async () => {
    expect((await verdict({}, { now: at(300) })).ok).toBe(true);
    expect((await verdict({}, { now: at(300.999) })).ok).toBe(true);
    expect((await verdict({}, { now: at(-300) })).ok).toBe(true);
  });

  it("refuses a stale delivery (a replay)", async () => {
    expect(await reasonOf({}, { now: at(301) })).toContain("more than 5 minutes old");
    expect(await reasonOf({}, { now: at(86_400) })).toContain("more than 5 minutes old");
  });

  it("refuses a delivery from the future", async () => {
    expect(await reasonOf({}, { now: at(-301) })).toContain("more than 5 minutes in the future");
  });

  it("a forged delivery hears 'does not match', not which window it missed", async () => {
    expect(await reasonOf({}, { now: at(10_000), secrets: [OTHER_SECRET] })).toContain("does not match");
  });
});

describe("verifyStandardWebhook: missing and malformed headers", () => {
  it.each([
    ["webhook-id", "the webhook-id header is missing"],
    ["webhook-timestamp", "the webhook-timestamp header is missing"],
    ["webhook-signature", "the webhook-signature header is missing"],
  ])("refuses a delivery without %s", async (header, reason) => {
    expect(await reasonOf({ [header]: null })).toBe(reason);
  });

  it.each(["hello", "-1614265330", "1614265330.5", "1614265330000000", " 1614265330x"])(
    "refuses the timestamp %j",
    async (timestamp) => {
      expect(await reasonOf({ "webhook-timestamp": timestamp })).toContain(
        "whole seconds since the Unix epoch",
      );
    },
  );

  it("a header of only spaces counts as missing", async () => {
    expect(await reasonOf({ "webhook-signature": "   " })).toBe("the webhook-signature header is missing");
  });

  it("refuses a webhook-id that is too long or has spaces", async () => {
    expect(await reasonOf({ "webhook-id": "m".repeat(257) })).toContain("at most 256 printable ASCII");
    expect(await reasonOf({ "webhook-id": "msg one" })).toContain("printable ASCII");
  });

  it.each([
    ["only another version", "v1a,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="],
    ["no version", "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="],
    ["'=' instead of ','", "v1=g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="],
    ["an unknown scheme", "v0,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="],
  ])("refuses a signature list with %s: no v1 signature", async (_, list) => {
    expect(await reasonOf({ "webhook-signature": list })).toContain('no "v1,<base64>" signature');
  });

  it.each([
    ["an empty v1", "v1,"],
    ["a truncated signature", SPEC.signature.slice(0, 8)],
    ["comma-separated instead of space-separated", `v1,abc,${SPEC.signature}`],
    ["the signature in hex", "v1,83484cf52b04f8e4cf2531adfed988b4ad2c9651375e5244"],
    ["a padded signature", `${SPEC.signature}==`],
  ])("refuses a signature list with %s", async (_, list) => {
    expect((await verdict({ "webhook-signature": list })).ok).toBe(false);
  });

  it("refuses a list of more than 16 signatures, valid one included", async () => {
    const list = [...Array.from({ length: 16 }, () => "v1,AAAA"), SPEC.signature].join(" ");
    expect(await reasonOf({ "webhook-signature": list })).toContain("at most 16 signatures");
  });
});

describe("newAutomationSecret", () => {
  it("is whsec_ plus base64 of 32 random bytes, different every time", () => {
    const a = newAutomationSecret();
    const b = newAutomationSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(atob(a.slice("whsec_".length))).toHaveLength(32);
    expect(a).not.toBe(b);
  });

  it("signs and verifies a delivery end to end", async () => {
    const secret = newAutomationSecret();
    const now = new Date("2026-12-05T03:00:00Z");
    const seconds = Math.floor(now.getTime() / 1000);
    const body = JSON.stringify({ hello: "world", emoji: "😀" });
    const headers = new Headers({
      "webhook-id": "msg_1",
      "webhook-timestamp": String(seconds),
      "webhook-signature": signStandardWebhook(secret, "msg_1", seconds, body),
    });
    expect(await verifyStandardWebhook(body, headers, [secret], now)).toEqual({
      ok: true,
      webhookId: "msg_1",
    });
    expect((await verifyStandardWebhook(body, headers, [newAutomationSecret()], now)).ok).toBe(false);
  });
});

// RFC 4231, test case 2: HMAC-SHA256 with key "Jefe".
const RFC4231 = {
  secret: "Jefe",
  body: "what do ya want for nothing?",
  hex: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
};

describe("verifySentrySignature", () => {
  const sentry = (signature: string | null, body = RFC4231.body, secrets = [RFC4231.secret]) =>
    verifySentrySignature(
      body,
      new Headers(signature === null ? {} : { "sentry-hook-signature": signature }),
      secrets,
    );

  it("accepts the hex HMAC-SHA256 of the raw body (RFC 4231 vector), in either case", async () => {
    expect(await sentry(RFC4231.hex)).toBe(true);
    expect(await sentry(RFC4231.hex.toUpperCase())).toBe(true);
  });

  it("accepts any live secret during a rotation", async () => {
    expect(await sentry(RFC4231.hex, RFC4231.body, ["previous-client-secret", RFC4231.secret])).toBe(true);
  });

  it("refuses a tampered body, a wrong secret, no secret and a missing header", async () => {
    expect(await sentry(RFC4231.hex, `${RFC4231.body}!`)).toBe(false);
    expect(await sentry(RFC4231.hex, RFC4231.body, ["not-jefe"])).toBe(false);
    expect(await sentry(RFC4231.hex, RFC4231.body, [])).toBe(false);
    expect(await sentry(RFC4231.hex, RFC4231.body, [""])).toBe(false);
    expect(await sentry(null)).toBe(false);
  });

  it.each([
    ["a sha256= prefix", `sha256=${RFC4231.hex}`],
    ["a truncated hex", RFC4231.hex.slice(0, 63)],
    ["non-hex", `${RFC4231.hex.slice(0, 63)}g`],
    ["empty", ""],
  ])("refuses a signature with %s", async (_, signature) => {
    expect(await sentry(signature)).toBe(false);
  });
});

// GitHub Docs, "Validating webhook deliveries" (also in docs for github/webhook-signature.ts).
const GITHUB = {
  secret: "It's a Secret to Everybody",
  body: "Hello, World!",
  header: "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
};

describe("verifyGithubSignature", () => {
  const github = (header: string | null, body = GITHUB.body, secrets = [GITHUB.secret]) =>
    verifyGithubSignature(
      body,
      new Headers(header === null ? {} : { "x-hub-signature-256": header }),
      secrets,
    );

  it("accepts GitHub's published vector", async () => {
    expect(await github(GITHUB.header)).toBe(true);
  });

  it("accepts any live secret during a rotation", async () => {
    expect(await github(GITHUB.header, GITHUB.body, ["an-older-secret", GITHUB.secret])).toBe(true);
  });

  it("refuses a tampered body, a wrong secret, a missing or malformed header", async () => {
    expect(await github(GITHUB.header, "Hello, World?")).toBe(false);
    expect(await github(GITHUB.header, GITHUB.body, ["It's a secret to everybody"])).toBe(false);
    expect(await github(GITHUB.header, GITHUB.body, [])).toBe(false);
    expect(await github(null)).toBe(false);
    expect(await github(GITHUB.header.slice("sha256=".length))).toBe(false);
    expect(await github(`sha1=${GITHUB.header.slice("sha256=".length)}`)).toBe(false);
  });
});
