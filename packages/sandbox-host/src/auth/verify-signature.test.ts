import { hostSigningString, signHostRequest } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { HostError } from "../http/host-error";
import { ReplayGuard } from "./replay-guard";
import { verifySignedRequest } from "./verify-signature";

const SECRET = "a-shared-secret-for-tests";
const NOW = 1_800_000_000_000;

async function request(overrides: { ts?: number; body?: string; path?: string; secret?: string } = {}) {
  const ts = String(overrides.ts ?? NOW / 1000);
  const path = overrides.path ?? "/v1/sandboxes";
  const body = overrides.body ?? '{"a":1}';
  const signature = await signHostRequest(
    overrides.secret ?? SECRET,
    hostSigningString(ts, "POST", path, body),
  );
  return { method: "POST", pathWithQuery: "/v1/sandboxes", body: '{"a":1}', timestamp: ts, signature };
}

async function failure(promise: Promise<void>): Promise<HostError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof HostError) return err;
    throw err;
  }
  throw new Error("expected a refusal");
}

describe("verifySignedRequest", () => {
  const options = () => ({ secret: SECRET, maxSkewS: 300, guard: new ReplayGuard(), nowMs: NOW });

  it("accepts a correctly signed, fresh request once and refuses its replay", async () => {
    const opts = options();
    const signed = await request();
    await expect(verifySignedRequest(signed, opts)).resolves.toBeUndefined();
    const replay = await failure(verifySignedRequest(signed, opts));
    expect(replay).toMatchObject({ status: 401, code: "unauthorized" });
    expect(replay.message).toMatch(/replayed/);
  });

  it("lets safe reads repeat (they sign the same within a second) but not writes", async () => {
    const opts = options();
    const read = { ...(await request()), method: "GET", pathWithQuery: "/v1/sandboxes", body: "" };
    read.signature = await signHostRequest(
      SECRET,
      hostSigningString(read.timestamp, "GET", "/v1/sandboxes", ""),
    );
    await verifySignedRequest(read, opts);
    await expect(verifySignedRequest(read, opts)).resolves.toBeUndefined();
    expect(opts.guard.size).toBe(0);
  });

  it("refuses missing, malformed and wrong signatures", async () => {
    const signed = await request();
    expect(
      (await failure(verifySignedRequest({ ...signed, signature: undefined }, options()))).message,
    ).toMatch(/missing/);
    expect(
      (await failure(verifySignedRequest({ ...signed, signature: "v1=zz" }, options()))).message,
    ).toMatch(/malformed/);
    for (const bad of [
      await request({ secret: "another-secret-value" }),
      await request({ body: '{"a":2}' }),
      await request({ path: "/v1/other" }),
    ]) {
      const err = await failure(verifySignedRequest(bad, options()));
      expect(err.status).toBe(401);
      expect(err.message).toMatch(/bad signature/);
    }
  });

  it("refuses stale and future timestamps with a message about the clock", async () => {
    const old = await failure(verifySignedRequest(await request({ ts: NOW / 1000 - 400 }), options()));
    expect(old.status).toBe(401);
    expect(old.message).toMatch(/400 s behind .*check the clocks/);
    const future = await failure(verifySignedRequest(await request({ ts: NOW / 1000 + 301 }), options()));
    expect(future.message).toMatch(/ahead of/);
    await expect(
      verifySignedRequest(await request({ ts: NOW / 1000 - 299 }), options()),
    ).resolves.toBeUndefined();
  });
});

describe("verifySignedRequest, edges", () => {
  const options = (guard = new ReplayGuard()) => ({ secret: SECRET, maxSkewS: 300, guard, nowMs: NOW });

  it("refuses a timestamp that is not plain unix seconds", async () => {
    const signed = await request();
    for (const timestamp of ["1800000000.5", "18e8", "-1800000000", " 1800000000", "1800000000000", ""]) {
      const err = await failure(verifySignedRequest({ ...signed, timestamp }, options()));
      expect(err.code, timestamp).toBe("unauthorized");
      expect(err.message, timestamp).toMatch(timestamp === "" ? /missing/ : /must be unix seconds/);
    }
  });

  it("accepts a timestamp exactly at the allowed skew on either side and names the skew in the refusal", async () => {
    await expect(
      verifySignedRequest(await request({ ts: NOW / 1000 - 300 }), options()),
    ).resolves.toBeUndefined();
    await expect(
      verifySignedRequest(await request({ ts: NOW / 1000 + 300 }), options()),
    ).resolves.toBeUndefined();
    const late = await failure(verifySignedRequest(await request({ ts: NOW / 1000 - 301 }), options()));
    expect(late.message).toBe(
      "stale request: its timestamp is 301 s behind the sandbox host's clock (allowed ±300 s); check the clocks of both machines",
    );
    const early = await failure(verifySignedRequest(await request({ ts: NOW / 1000 + 302 }), options()));
    expect(early.message).toMatch(/^stale request: its timestamp is 302 s ahead of the sandbox host's clock/);
  });

  it("refuses a replay for as long as its timestamp stays within the window", async () => {
    const guard = new ReplayGuard();
    const signed = await request({ ts: NOW / 1000 - 200 });
    await verifySignedRequest(signed, options(guard));
    // 90 s later the request is still fresh enough (290 s old), so its signature must still be remembered.
    const later = { ...options(guard), nowMs: NOW + 90_000 };
    expect((await failure(verifySignedRequest(signed, later))).message).toMatch(/replayed request/);
  });

  it("lets HEAD repeat like GET, but a PUT or DELETE only once", async () => {
    for (const method of ["HEAD", "PUT", "DELETE"]) {
      const opts = options();
      const ts = String(NOW / 1000);
      const signature = await signHostRequest(SECRET, hostSigningString(ts, method, "/v1/sandboxes/s1", ""));
      const signed = { method, pathWithQuery: "/v1/sandboxes/s1", body: "", timestamp: ts, signature };
      await verifySignedRequest(signed, opts);
      if (method === "HEAD") await expect(verifySignedRequest(signed, opts)).resolves.toBeUndefined();
      else expect((await failure(verifySignedRequest(signed, opts))).message, method).toMatch(/replayed/);
    }
  });

  it("answers 429 when the replay window is full, rather than forgetting live signatures", async () => {
    const guard = new ReplayGuard(1);
    await verifySignedRequest(await request(), options(guard));
    const full = await failure(verifySignedRequest(await request({ ts: NOW / 1000 - 1 }), options(guard)));
    expect(full).toMatchObject({ code: "rate_limited", status: 429 });
    expect(full.message).toBe("too many signed requests in the replay window; retry shortly");
  });

  it("says what to check when the signature is wrong or missing", async () => {
    const signed = await request();
    expect((await failure(verifySignedRequest({ ...signed, timestamp: undefined }, options()))).message).toBe(
      "missing x-nightshift-timestamp or x-nightshift-signature; sign every request",
    );
    expect(
      (await failure(verifySignedRequest({ ...signed, signature: `v1=${"0".repeat(64)}` }, options())))
        .message,
    ).toBe("bad signature; check that both sides use the same NIGHTSHIFT_HOST_SECRET");
    expect(
      (await failure(verifySignedRequest({ ...signed, signature: `v1=${"a".repeat(63)}` }, options())))
        .message,
    ).toBe("malformed x-nightshift-signature; expected v1=<64 hex digits>");
    expect(
      (await failure(verifySignedRequest({ ...signed, signature: `v1=${"a".repeat(64)}x` }, options())))
        .message,
    ).toMatch(/malformed/);
    expect(
      (await failure(verifySignedRequest({ ...signed, signature: `xv1=${"a".repeat(64)}` }, options())))
        .message,
    ).toMatch(/malformed/);
  });
});

describe("ReplayGuard", () => {
  it("forgets signatures once they expire and refuses new ones when full", () => {
    const guard = new ReplayGuard(2);
    expect(guard.check("a", 1000, 0)).toBe("fresh");
    expect(guard.check("b", 2000, 0)).toBe("fresh");
    expect(guard.check("c", 2000, 0)).toBe("full");
    expect(guard.check("a", 1000, 500)).toBe("replay");
    expect(guard.check("c", 3000, 1500)).toBe("fresh");
    expect(guard.size).toBe(2);
  });
});
