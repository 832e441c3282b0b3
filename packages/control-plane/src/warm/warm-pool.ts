/**
 * WarmPool: one Durable Object per (tenant, repository) with warm start on (getByName of
 * warmPoolName). Every trigger (a push to the default branch, the schedule, an admin's rebuild,
 * turning warm start on) goes through it, one at a time, so two triggers never start two
 * prebuilds; its alarm is the repository's refresh schedule (no polling over repositories).
 * The DO is bound to the first (tenant, repository) it serves and refuses any other.
 */
import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import { openDatabase } from "../db/client";
import {
  findWarmRepository,
  findWarmSnapshot,
  markBuilding,
  markFailed,
  recordHead,
} from "../db/repositories/warm";
import type { Bindings } from "../env";
import { createSandboxProvider } from "../providers/factory";
import { resolveSandboxProvider } from "../services/sandbox-settings";
import { maxAgeMs, refreshAfterMs, shouldBuild } from "./policy";
import { newPrebuildId, startPrebuild } from "./prebuild";

export function warmPoolName(tenantId: string, repoKey: string): string {
  return `${tenantId}\n${repoKey}`;
}

const Target = z.object({ tenantId: z.string().min(1), repoKey: z.string().min(1) });
type Target = z.infer<typeof Target>;

export const WarmTrigger = Target.extend({
  reason: z.enum(["push", "schedule", "demand", "enabled"]),
  /** The default branch's head, when a push named it. */
  head: z
    .string()
    .regex(/^[0-9a-f]{40,64}$/)
    .nullish(),
});
export type WarmTrigger = z.infer<typeof WarmTrigger>;

export type TriggerResult = { started: true; sessionId: string } | { started: false; why: string };

const TARGET_KEY = "target";

function message(err: unknown): string {
  return err instanceof Error ? err.message : "unknown error";
}

export class WarmPool extends DurableObject<Bindings> {
  async trigger(input: WarmTrigger): Promise<TriggerResult> {
    const trigger = WarmTrigger.parse(input);
    // One trigger at a time, start to finish: the dedupe below reads what the last one wrote.
    return this.ctx.blockConcurrencyWhile(() => this.run(trigger));
  }

  /** Warm start was turned off: no more scheduled prebuilds. */
  async disable(target: Target): Promise<void> {
    if (!(await this.owns(target))) return;
    await this.ctx.storage.deleteAlarm();
  }

  override async alarm(): Promise<void> {
    const stored = Target.safeParse(await this.ctx.storage.get(TARGET_KEY));
    if (!stored.success) return;
    const result = await this.trigger({ ...stored.data, reason: "schedule" });
    console.log(
      JSON.stringify({
        event: "warm.scheduled_prebuild",
        repo: stored.data.repoKey,
        ...(result.started ? { sessionId: result.sessionId } : { skipped: result.why }),
      }),
    );
  }

  private async owns(target: Target): Promise<boolean> {
    const stored = Target.safeParse(await this.ctx.storage.get(TARGET_KEY));
    return (
      !stored.success || (stored.data.tenantId === target.tenantId && stored.data.repoKey === target.repoKey)
    );
  }

  private async run(trigger: WarmTrigger): Promise<TriggerResult> {
    const { tenantId, repoKey } = trigger;
    if (!(await this.owns(trigger))) return { started: false, why: "not found" };
    const db = openDatabase(this.env.DB);
    const warm = await findWarmRepository(db, tenantId, repoKey);
    if (!warm?.enabled) {
      await this.ctx.storage.deleteAlarm();
      return { started: false, why: "warm start is off for this repository" };
    }
    await this.ctx.storage.put(TARGET_KEY, { tenantId, repoKey });
    const maxAge = maxAgeMs(this.env);
    const now = Date.now();
    // Whatever happens to this trigger, the schedule goes on.
    await this.ctx.storage.setAlarm(now + refreshAfterMs(maxAge));
    const iso = new Date(now).toISOString();
    if (trigger.head) await recordHead(db, tenantId, repoKey, trigger.head, iso);
    let provider: string;
    try {
      provider = await resolveSandboxProvider(this.env, tenantId, warm.repo);
      if (!createSandboxProvider(this.env, provider).snapshot)
        return { started: false, why: `the ${provider} sandbox provider cannot take snapshots` };
    } catch (err) {
      return { started: false, why: message(err) };
    }
    const row = await findWarmSnapshot(db, tenantId, repoKey, provider);
    const decision = shouldBuild(row, now, maxAge, trigger.head ?? null);
    if (!decision.build) return { started: false, why: decision.why };
    if (!warm.updatedBy)
      return {
        started: false,
        why: "the admin who turned warm start on is no longer a user here; turn it on again",
      };
    const sessionId = newPrebuildId();
    const target = { repoKey, provider, sessionId };
    await markBuilding(db, tenantId, { ...target, head: trigger.head ?? null }, iso);
    try {
      await startPrebuild(this.env, {
        tenantId,
        repo: warm.repo,
        userId: warm.updatedBy,
        provider,
        sessionId,
      });
    } catch (err) {
      await markFailed(db, tenantId, target, `the prebuild could not start: ${message(err)}`, iso);
      return { started: false, why: message(err) };
    }
    return { started: true, sessionId };
  }
}
