/**
 * POST /webhooks/in/:automationId — an automation's inbound webhook. 202 `{sessionId, runId}` when
 * a session starts (created right after the answer; if that fails, the run history says why); 200 `{skipped}`, `{duplicate: true}` or `{failed}` otherwise; 401 for a bad,
 * missing or stale signature (or key); 404 for an unknown, disabled or schedule automation alike;
 * 413 over the body cap (the app-wide body limit); 429 with Retry-After over a limit.
 */
import { Hono } from "hono";
import { verifyAutomationDelivery } from "../automations/ingress";
import { startAutomationRun } from "../automations/run";
import type { AppEnv } from "../env";
import { AppError } from "../http/app-error";

/**
 * The session's creation starts this long after the answer: under workerd, D1 and Durable Object
 * work begun in `waitUntil` runs before the already-returned 202 is written out (docs/performance.md,
 * "Webhook ack"; the GitHub and Slack routes do the same). Nobody waits on those 25 ms.
 */
const ACK_HEADSTART_MS = 25;

function afterAck(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ACK_HEADSTART_MS));
}

export const automationWebhookRoutes = new Hono<AppEnv>().post("/:automationId", async (c) => {
  // The raw text: the signature covers exactly what was sent, so nothing may parse first.
  const raw = await c.req.text();
  const now = new Date();
  const delivery = await verifyAutomationDelivery(
    c.env,
    c.req.param("automationId"),
    c.req.raw.headers,
    raw,
    now,
  );
  const run = await startAutomationRun(
    c.env,
    {
      automation: delivery.automation,
      triggerId: delivery.triggerId,
      payload: delivery.payload,
      trigger: "webhook",
      // The session is created after the 202 (its id is allocated now): the sender waits milliseconds.
      defer: (work) => c.executionCtx.waitUntil(afterAck().then(work)),
    },
    now,
  );
  switch (run.outcome) {
    case "started":
      return c.json({ sessionId: run.sessionId, runId: run.id }, 202);
    case "duplicate":
      return c.json({ duplicate: true, runId: run.id }, 200);
    case "skipped":
      return c.json({ skipped: run.reason ?? "skipped", runId: run.id }, 200);
    case "rate_limited":
      throw new AppError(
        "rate_limited",
        `this automation is over its limits: ${run.reason ?? "too many runs"}`,
        undefined,
        { "retry-after": String(run.retryAfterSeconds ?? 60) },
      );
    case "failed":
      // Recorded in the run history; a retry of the same delivery would fail the same way.
      return c.json({ failed: run.reason ?? "the run failed", runId: run.id }, 200);
  }
});
