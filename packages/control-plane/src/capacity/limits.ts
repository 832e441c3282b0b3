/**
 * Which slot pool a session draws from and its limits, from Worker vars. Resolved when the
 * session is created (a bad value fails that request, not a later alarm) and kept with the
 * session, so every call it makes to the pool names the same pool.
 */
import { z } from "zod";
import type { Bindings } from "../env";
import { deploymentDefaultProvider } from "../providers/availability";
import type { SlotLimits } from "./policy";

export interface SlotPolicy extends SlotLimits {
  /** The pool's name: one coordinator per name. Sessions sharing a sandbox host share a pool. */
  pool: string;
}

/**
 * The sandbox host's own ceiling (packages/sandbox-host maxSandboxes) and half of it per tenant.
 * In local mode (one machine, one person) the per-tenant cap defaults to the whole pool: there is
 * nobody to share with.
 */
export const DEFAULT_SLOTS = 20;
export const DEFAULT_SLOTS_PER_TENANT = 10;

const Count = z.coerce
  .number({ error: "must be a whole number" })
  .int("must be a whole number")
  .min(1, "must be at least 1")
  .max(100_000, "must be at most 100000");
const PoolName = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,100}$/, "must be 1-100 letters, digits, '.', '_', ':' or '-'");

function read<T>(schema: z.ZodType<T>, name: string, raw: string | undefined, fallback: T): T {
  if (raw === undefined || raw.trim() === "") return fallback;
  const parsed = schema.safeParse(raw.trim());
  if (!parsed.success) throw new Error(`${name} ${parsed.error.issues[0]?.message ?? "is invalid"}`);
  return parsed.data;
}

/**
 * The pool is per provider: a Daytona session never waits for a slot of the local host. An
 * explicit SANDBOX_SLOT_POOL names the deployment default provider's pool (deployments sharing
 * one sandbox host share it); every other provider's pool is its name.
 */
export function slotPolicyFrom(env: Bindings, provider: string = deploymentDefaultProvider(env)): SlotPolicy {
  const total = read(Count, "SANDBOX_SLOT_LIMIT", env.SANDBOX_SLOT_LIMIT, DEFAULT_SLOTS);
  const perTenant = read(
    Count,
    "SANDBOX_SLOT_LIMIT_PER_TENANT",
    env.SANDBOX_SLOT_LIMIT_PER_TENANT,
    env.NIGHTSHIFT_MODE === "local" ? total : DEFAULT_SLOTS_PER_TENANT,
  );
  const pool =
    provider === deploymentDefaultProvider(env)
      ? read(PoolName, "SANDBOX_SLOT_POOL", env.SANDBOX_SLOT_POOL, provider)
      : provider;
  return { pool, total, perTenant: Math.min(perTenant, total) };
}
