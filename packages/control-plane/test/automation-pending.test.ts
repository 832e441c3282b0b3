/**
 * The concurrency limit counts runs whose session is still being created (a webhook's 202 comes
 * first): without that, deliveries arriving before the first session row exists would all pass
 * the limit.
 */
import { env } from "cloudflare:workers";
import { ulid } from "ulid";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/client";
import { countPendingAutomationSessions, insertRun, settleRun } from "../src/db/repositories/automation-runs";
import { insertSession } from "../src/db/repositories/sessions";
import { createAutomation } from "./automations-support";
import { createTenant } from "./helpers";

describe("runs still creating their session", () => {
  it("count as running until their session exists or they fail, and only within the window", async () => {
    const owner = await createTenant("pending-runs");
    const { automation } = await createAutomation(owner);
    const db = openDatabase(env.DB);
    const now = new Date();
    const since = new Date(now.getTime() - 10 * 60_000).toISOString();
    const run = async (at: Date, sessionId: string) =>
      (await insertRun(db, owner.tenantId, {
        id: ulid(at.getTime()).toLowerCase(),
        automationId: automation.id,
        at: at.toISOString(),
        triggerId: `t-${crypto.randomUUID()}`,
        outcome: "started",
        sessionId,
        claim: true,
      }))!;
    const pending = (except = "none") =>
      countPendingAutomationSessions(db, owner.tenantId, automation.id, since, except);

    const creating = await run(now, ulid().toLowerCase());
    const dead = await run(new Date(now.getTime() - 20 * 60_000), ulid().toLowerCase());
    expect(dead.id).not.toBe(creating.id);
    expect(await pending()).toBe(1);
    // A run never counts itself.
    expect(await pending(creating.id)).toBe(0);

    const other = await run(now, ulid().toLowerCase());
    expect(await pending()).toBe(2);
    await settleRun(db, owner.tenantId, other.id, { outcome: "failed", reason: "no access" });
    expect(await pending()).toBe(1);

    await insertSession(db, owner.tenantId, {
      id: creating.sessionId!,
      title: "created",
      repo: { kind: "local", path: "demo" },
      agent: "claude-code",
      model: null,
      status: "queued",
      trigger: "webhook",
      createdBy: owner.userId,
      branch: "nightshift/created",
      sandboxProvider: "local",
      createdAt: now.toISOString(),
    });
    expect(await pending()).toBe(0);
  });
});
