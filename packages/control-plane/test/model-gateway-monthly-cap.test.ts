/**
 * The tenant's monthly cap counts the whole tenant's spend, not the calling session's: a session
 * that has spent nothing is refused once its siblings have used up the month. Real Worker, D1, DO,
 * scripted model.
 */
import type { Session, SessionModelUsage } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { anthropicBody, anthropicCall, gatewaySession, modelRequestsMarked } from "./gateway-client";
import { api, type Identity, postJson, waitFor } from "./helpers";
import { useIncarnation } from "./sandbox-client";

async function spentBy(sessionId: string, as: Identity): Promise<SessionModelUsage> {
  const res = await api(`/api/v1/sessions/${sessionId}/usage`, {}, as);
  expect(res.status).toBe(200);
  return (await res.json()) as SessionModelUsage;
}

async function siblingSandbox(owner: Identity): Promise<{ session: Session; token: string }> {
  const res = await postJson(
    "/api/v1/sessions",
    { repo: { kind: "local", path: "demo" }, prompt: "Add a README" },
    {},
    owner,
  );
  if (res.status !== 201) throw new Error(`create session failed: ${res.status} ${await res.text()}`);
  const session = (await res.json()) as Session;
  return { session, token: await useIncarnation(session, `inc-sibling-${session.id}`) };
}

describe("model gateway: the monthly cap", () => {
  it("refuses a session that has spent nothing once the tenant's other sessions used up the month (per-session monthly cap attack)", async () => {
    const first = await gatewaySession("gw-month-siblings");
    await (await anthropicCall(first.token, anthropicBody("month-siblings-1", false))).text();
    await waitFor(
      "the first call's usage",
      async () => (await spentBy(first.session.id, first.owner)).calls >= 1,
    );
    // Started before the cap: over the monthly budget no new session starts (budgets/month-budget.ts).
    const sibling = await siblingSandbox(first.owner);
    const cap = await api(
      `/api/v1/tenants/${first.owner.tenantId}/settings/budget`,
      {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ monthlyUsd: 0.000001 }),
      },
      first.owner,
    );
    expect(cap.status).toBe(200);

    expect((await spentBy(sibling.session.id, first.owner)).calls).toBe(0);
    const marker = `month-siblings-over-${crypto.randomUUID()}`;
    const refused = await anthropicCall(sibling.token, anthropicBody(marker, false));
    expect(refused.status).toBe(402);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(
      /this tenant has spent .* monthly model budget/,
    );
    expect(await modelRequestsMarked(marker)).toHaveLength(0);
  });
});
