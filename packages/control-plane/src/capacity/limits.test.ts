import { describe, expect, it } from "vitest";
import type { Bindings } from "../env";
import { slotPolicyFrom } from "./limits";

const env = (vars: Partial<Bindings>) => ({ NIGHTSHIFT_MODE: "cloud", ...vars }) as Bindings;

describe("slot limits from the deployment's vars", () => {
  it("defaults to the host's 20 slots, 10 per tenant, in the provider's pool", () => {
    expect(slotPolicyFrom(env({}))).toEqual({ pool: "local", total: 20, perTenant: 10 });
    expect(slotPolicyFrom(env({ SANDBOX_PROVIDER: "daytona" })).pool).toBe("daytona");
  });

  it("lets the one person of local mode use the whole pool", () => {
    expect(slotPolicyFrom(env({ NIGHTSHIFT_MODE: "local" }))).toEqual({
      pool: "local",
      total: 20,
      perTenant: 20,
    });
  });

  it("reads explicit limits, never letting a tenant's cap exceed the pool", () => {
    const vars = {
      SANDBOX_SLOT_LIMIT: "8",
      SANDBOX_SLOT_LIMIT_PER_TENANT: "50",
      SANDBOX_SLOT_POOL: "host-a",
    };
    expect(slotPolicyFrom(env(vars))).toEqual({ pool: "host-a", total: 8, perTenant: 8 });
  });

  it("explains a malformed setting instead of guessing", () => {
    expect(() => slotPolicyFrom(env({ SANDBOX_SLOT_LIMIT: "lots" }))).toThrow(
      /SANDBOX_SLOT_LIMIT must be a whole number/,
    );
    expect(() => slotPolicyFrom(env({ SANDBOX_SLOT_LIMIT_PER_TENANT: "0" }))).toThrow(/at least 1/);
    expect(() => slotPolicyFrom(env({ SANDBOX_SLOT_POOL: "no spaces" }))).toThrow(/SANDBOX_SLOT_POOL/);
  });
});
