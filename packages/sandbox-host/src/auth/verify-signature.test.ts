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
