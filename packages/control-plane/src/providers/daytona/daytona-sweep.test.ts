/**
 * The cron's Daytona sweep over the real D1 (sessions created through the API) and the testkit's
 * Daytona double: each sandbox's session is looked up in the tenant it is labelled with, so a
 * label naming another tenant never keeps (or judges) a session that tenant does not own.
 */
import { env } from "cloudflare:workers";
import { ulid } from "ulid";
import { describe, expect, it } from "vitest";
import { createDaytonaApi } from "../../../../testkit/src/daytona/daytona-api";
import { createSession } from "../../../test/helpers";
import type { Bindings } from "../../env";
import { sweepDaytonaSandboxes } from "./daytona-sweep";

const KEY = "dtn_sweep_key";
const HOUR = 3_600_000;

describe("sweepDaytonaSandboxes", () => {
  it("does nothing unless the deployment uses Daytona", async () => {
    expect(await sweepDaytonaSandboxes(env as unknown as Bindings, Date.now())).toBeNull();
  });

  it("keeps a live session's newest sandbox and deletes the rest, looking each session up in its labelled tenant", async () => {
    const session = await createSession("Sweep me");
    const api = createDaytonaApi({ apiKey: KEY, runtime: "none" });
    const fetchDouble = ((input: Request | string | URL, init?: RequestInit) =>
      api.fetch(new Request(input, init))) as typeof fetch;
    const make = async (tenant: string, sessionId: string, incarnation: string) => {
      const res = await fetchDouble("http://127.0.0.1:3986/api/sandbox", {
        method: "POST",
        headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
        body: JSON.stringify({
          snapshot: "nightshift-sandbox",
          labels: {
            "nightshift.deployment": "sweep",
            "nightshift.tenant": tenant,
            "nightshift.session": sessionId,
            "nightshift.incarnation": incarnation,
          },
        }),
      });
      return ((await res.json()) as { id: string }).id;
    };
    const older = ulid(Date.now() - 60_000).toLowerCase();
    const newer = ulid().toLowerCase();
    const current = await make(session.tenantId, session.id, newer);
    const superseded = await make(session.tenantId, session.id, older);
    const foreign = await make("tenant-that-does-not-own-it", session.id, newer);
    const config = {
      ...(env as unknown as Bindings),
      SANDBOX_PROVIDER: "daytona",
      DAYTONA_API_URL: "http://127.0.0.1:3986/api",
      DAYTONA_API_KEY: KEY,
      DAYTONA_SNAPSHOT: "nightshift-sandbox",
      NIGHTSHIFT_DEPLOYMENT: "sweep",
    };
    const report = await sweepDaytonaSandboxes(config, Date.now() + HOUR, fetchDouble);
    expect(report?.errors).toBe(0);
    expect(Object.fromEntries((report?.deleted ?? []).map((d) => [d.id, d.reason]))).toEqual({
      [superseded]: "incarnation superseded",
      [foreign]: "session unknown",
    });
    expect(api.store.find(current)?.state).toBe("started");
  });

  it("says why in words, without the key, when Daytona refuses", async () => {
    const api = createDaytonaApi({ apiKey: "another-key", runtime: "none" });
    const config = {
      ...(env as unknown as Bindings),
      SANDBOX_PROVIDER: "daytona",
      DAYTONA_API_URL: "http://127.0.0.1:3986/api",
      DAYTONA_API_KEY: KEY,
      DAYTONA_SNAPSHOT: "nightshift-sandbox",
    };
    const fetchDouble = ((input: Request | string | URL, init?: RequestInit) =>
      api.fetch(new Request(input, init))) as typeof fetch;
    const error = await sweepDaytonaSandboxes(config, Date.now(), fetchDouble).catch(
      (e: unknown) => e as Error,
    );
    expect(String(error)).toMatch(/refused the API key when asked to list sandboxes.*DAYTONA_API_KEY/);
    expect(String(error)).not.toContain(KEY);
  });
});
