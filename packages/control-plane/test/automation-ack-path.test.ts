/**
 * What the fast answer of POST /webhooks/in/:id must not cost: the isolate's cache of an
 * automation and its opened secrets serves a disabled automation for at most its TTL (at once in
 * the isolate that served the change) and never refuses a delivery D1 would accept (a secret
 * rotated elsewhere); the one-batch claim admits exactly one of two deliveries racing for the last
 * slot; the last run time is stamped by every recorded run but a duplicate.
 */
import { env } from "cloudflare:workers";
import type { Automation } from "@nightshift/protocol";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { verifyAutomationDelivery } from "../src/automations/ingress";
import { INGRESS_CACHE_TTL_MS } from "../src/automations/ingress-cache";
import { sealAutomationSecret } from "../src/automations/secrets";
import { newAutomationSecret } from "../src/automations/signatures";
import { openDatabase } from "../src/db/client";
import { rotateAutomationSecret } from "../src/db/repositories/automations";
import { automations } from "../src/db/schema";
import { AppError } from "../src/http/app-error";
import {
  automationsPath,
  createAutomation,
  deliverSigned,
  expectJson,
  patchAutomation,
  standardHeaders,
  webhookBody,
} from "./automations-support";
import { api, createTenant } from "./helpers";

const body = JSON.stringify({ alert: { title: "disk full" } });

/** The ingress step alone, at a chosen clock: what the route does before the run. */
function verifyAt(automationId: string, secret: string, at: number) {
  const headers = new Headers(standardHeaders(secret, { body, signedAt: Math.floor(at / 1000) }));
  return verifyAutomationDelivery(env, automationId, headers, body, new Date(at));
}

async function refusalOf(attempt: Promise<unknown>): Promise<string> {
  try {
    await attempt;
    return "accepted";
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
}

/** A write another isolate made: D1 changes, this isolate's cache is not told. */
async function disableInD1(tenantId: string, id: string): Promise<void> {
  await openDatabase(env.DB)
    .update(automations)
    .set({ enabled: false })
    .where(and(eq(automations.tenantId, tenantId), eq(automations.id, id)));
}

describe("the automation ingress cache", () => {
  it("an automation paused through the API stops taking deliveries at once in this isolate", async () => {
    const owner = await createTenant("ack-pause");
    const { automation, secret } = await createAutomation(owner);
    expect((await deliverSigned(automation.id, secret ?? "", { body })).status).toBe(202);
    expect((await patchAutomation(owner, automation.id, { enabled: false })).status).toBe(200);
    expect((await deliverSigned(automation.id, secret ?? "", { body })).status).toBe(404);
  });

  it("an automation deleted through the API stops taking deliveries at once in this isolate", async () => {
    const owner = await createTenant("ack-delete");
    const { automation, secret } = await createAutomation(owner);
    expect((await deliverSigned(automation.id, secret ?? "", { body })).status).toBe(202);
    const deleted = await api(automationsPath(owner, `/${automation.id}`), { method: "DELETE" }, owner);
    expect(deleted.status).toBe(204);
    expect((await deliverSigned(automation.id, secret ?? "", { body })).status).toBe(404);
  });

  it("an automation disabled by another isolate stops within the TTL, however many deliveries hit the cache meanwhile", async () => {
    const owner = await createTenant("ack-disable-elsewhere");
    const { automation, secret } = await createAutomation(owner);
    const start = Date.now();
    expect(await refusalOf(verifyAt(automation.id, secret ?? "", start))).toBe("accepted");
    await disableInD1(owner.tenantId, automation.id);
    // Served from the isolate's copy until the TTL: the bound a disable costs. A hit must not
    // extend the entry's life, or a steady stream of deliveries would keep a disabled automation alive.
    const lastServed = start + INGRESS_CACHE_TTL_MS - 1;
    expect(await refusalOf(verifyAt(automation.id, secret ?? "", start + 1000))).toBe("accepted");
    expect(await refusalOf(verifyAt(automation.id, secret ?? "", lastServed))).toBe("accepted");
    expect(await refusalOf(verifyAt(automation.id, secret ?? "", start + INGRESS_CACHE_TTL_MS))).toBe(
      "not_found",
    );
  });

  it("a secret rotated by another isolate verifies at once: a refusal by the cached secrets re-reads D1", async () => {
    const owner = await createTenant("ack-rotate-elsewhere");
    const { automation, secret } = await createAutomation(owner);
    const now = Date.now();
    expect(await refusalOf(verifyAt(automation.id, secret ?? "", now))).toBe("accepted");
    const db = openDatabase(env.DB);
    const rotated = newAutomationSecret();
    const sealed = await sealAutomationSecret(
      env,
      db,
      { tenantId: owner.tenantId, automationId: automation.id },
      rotated,
    );
    const until = new Date(now + 60_000).toISOString();
    await rotateAutomationSecret(
      db,
      owner.tenantId,
      automation.id,
      sealed,
      until,
      new Date(now).toISOString(),
    );
    expect(await refusalOf(verifyAt(automation.id, rotated, now))).toBe("accepted");
    // The old one is the previous secret now, inside its grace.
    expect(await refusalOf(verifyAt(automation.id, secret ?? "", now))).toBe("accepted");
    // Another secret is still refused after the re-read.
    expect(await refusalOf(verifyAt(automation.id, newAutomationSecret(), now))).toBe("unauthorized");
  });

  it("a cached automation is still refused for a stale or forged delivery", async () => {
    const owner = await createTenant("ack-cached-refusals");
    const { automation, secret } = await createAutomation(owner);
    const now = Date.now();
    expect(await refusalOf(verifyAt(automation.id, secret ?? "", now))).toBe("accepted");
    const stale = new Headers(
      standardHeaders(secret ?? "", { body, signedAt: Math.floor(now / 1000) - 600 }),
    );
    expect(await refusalOf(verifyAutomationDelivery(env, automation.id, stale, body, new Date(now)))).toBe(
      "unauthorized",
    );
    const tampered = new Headers(standardHeaders(secret ?? "", { body }));
    expect(
      await refusalOf(verifyAutomationDelivery(env, automation.id, tampered, `${body} `, new Date(now))),
    ).toBe("unauthorized");
  });
});

describe("the one-batch claim", () => {
  it("two deliveries racing for the last concurrent slot: exactly one starts, the other is 429", async () => {
    const owner = await createTenant("ack-race");
    // Several rounds on fresh automations: an interleaving that admits both, or neither, shows up.
    for (let round = 0; round < 4; round++) {
      const { automation, secret } = await createAutomation(
        owner,
        webhookBody({ name: `race ${round}`, limits: { maxConcurrent: 1 } }),
      );
      const answers = await Promise.all(
        ["a", "b"].map((who) =>
          deliverSigned(automation.id, secret ?? "", { body: JSON.stringify({ alert: { title: who } }) }),
        ),
      );
      expect(answers.map((r) => r.status).sort(), `round ${round}`).toEqual([202, 429]);
    }
  });

  it("a recorded run stamps the automation's last run; a duplicate leaves it alone", async () => {
    const owner = await createTenant("ack-last-run");
    const { automation, secret } = await createAutomation(
      owner,
      webhookBody({ filter: 'payload.level == "error"' }),
    );
    const lastRun = async () =>
      (await expectJson<Automation>(await api(automationsPath(owner, `/${automation.id}`), {}, owner), 200))
        .lastRunAt;
    expect(await lastRun()).toBeUndefined();
    const skipped = await deliverSigned(automation.id, secret ?? "", { body, id: "msg_once" });
    expect(await expectJson(skipped, 200)).toMatchObject({ skipped: expect.any(String) });
    const stamped = await lastRun();
    expect(stamped).toBeDefined();
    const replay = await deliverSigned(automation.id, secret ?? "", { body, id: "msg_once" });
    expect(await expectJson(replay, 200)).toMatchObject({ duplicate: true });
    expect(await lastRun()).toBe(stamped);
  });
});
