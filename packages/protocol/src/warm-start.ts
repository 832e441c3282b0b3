/**
 * Warm start (issue 13 §7): per-repository prebuilt snapshots (a clone with the setup hook
 * already run) that new sessions start from while fresh. Opt-in per repository; admins turn it on
 * and ask for a rebuild, members read the state.
 */
import { z } from "zod";
import { RepoRef } from "./api.ts";

/** `PUT /api/v1/tenants/:tenantId/warm-start`: turn warm start on or off for one repository. */
export const PutWarmStartRequest = z.strictObject({ repo: RepoRef, enabled: z.boolean() });
export type PutWarmStartRequest = z.infer<typeof PutWarmStartRequest>;

/** `POST /api/v1/tenants/:tenantId/warm-start/rebuild`: prebuild this repository now. */
export const RebuildWarmStartRequest = z.strictObject({ repo: RepoRef });
export type RebuildWarmStartRequest = z.infer<typeof RebuildWarmStartRequest>;

export const RebuildWarmStartResponse = z.object({
  started: z.boolean(),
  /** Why nothing started (a prebuild already runs, the snapshot is current, the provider has none). */
  reason: z.string().optional(),
});
export type RebuildWarmStartResponse = z.infer<typeof RebuildWarmStartResponse>;

export const WarmSnapshotState = z.object({
  provider: z.string(),
  /** The latest prebuild. */
  state: z.enum(["building", "ready", "failed"]),
  reason: z.string().nullable(),
  /** The newest usable snapshot's commit and time (null: none). */
  commit: z.string().nullable(),
  builtAt: z.string().nullable(),
  /** Whether new sessions start from it now. */
  fresh: z.boolean(),
});
export type WarmSnapshotState = z.infer<typeof WarmSnapshotState>;

export const WarmStartView = z.object({
  /** Snapshots older than this are not used (WARM_START_MAX_AGE_HOURS). */
  maxAgeHours: z.number(),
  repositories: z.array(
    z.object({
      repo: RepoRef,
      enabled: z.boolean(),
      updatedAt: z.string(),
      snapshots: z.array(WarmSnapshotState),
    }),
  ),
});
export type WarmStartView = z.infer<typeof WarmStartView>;
