/**
 * What the gateway makes of settings stored in D1 that no longer validate (written by an older
 * version, or by hand): a broken base URL list counts as unset, a broken budget closes the gateway
 * for the tenant rather than lifting its caps.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/client";
import { readGatewaySettings } from "../src/db/repositories/gateway-settings";
import { createTenant, type Identity } from "./helpers";

async function storeRaw(owner: Identity, budget: string, model: string): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO tenant_settings (tenant_id, budget_settings, model_settings, updated_by, updated_at)
     VALUES (?1, ?2, ?3, ?4, '2026-12-04T00:00:00.000Z')
     ON CONFLICT (tenant_id) DO UPDATE SET budget_settings = ?2, model_settings = ?3`,
  )
    .bind(owner.tenantId, budget, model, owner.userId)
    .run();
}

describe("stored gateway settings that no longer validate", () => {
  it("a broken budget caps every call at zero instead of leaving the tenant uncapped", async () => {
    const owner = await createTenant("gw-broken-budget");
    await storeRaw(owner, '{"sessionUsd":"lots"', '{"baseUrls":{"openai":"ftp://nope"}}');
    const settings = await readGatewaySettings(openDatabase(env.DB), owner.tenantId);
    expect(settings.budget).toEqual({ sessionUsd: 0, monthlyUsd: 0 });
    expect(settings.model).toEqual({ baseUrls: {} });
  });

  it("a tenant with nothing stored has no caps and the deployment's base URLs", async () => {
    const owner = await createTenant("gw-no-settings");
    const settings = await readGatewaySettings(openDatabase(env.DB), owner.tenantId);
    expect(settings.budget).toEqual({});
    expect(settings.model).toEqual({ baseUrls: {} });
  });
});
