/** /webhooks/*: public ingress for signed deliveries from integrations (GitHub today). */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { processWebhook, receiveGithubWebhook } from "../integrations/github/webhooks";
import { processLinearDelivery, receiveLinearWebhook } from "../integrations/linear/ingress";
import { slackWebhookRoutes } from "../integrations/slack/route";
import { handleWarmPush } from "../warm/push-trigger";

/**
 * Under workerd, D1 and Durable Object work begun in `waitUntil` runs before the already-returned
 * response is written out, so a trigger's own background work used to delay its 202 (paced trigger
 * ack p50 29 ms → 7 ms with this pause, measured under wrangler dev). A trigger starting 25 ms
 * later costs nothing next to the agent run it starts.
 */
const ACK_HEADSTART_MS = 25;

function afterAck(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ACK_HEADSTART_MS));
}

/** One JSON line per outcome; never the payload, which may hold private repository text. */
function logger(delivery: string | undefined) {
  return {
    info: (message: string) => console.log(JSON.stringify({ source: "github-webhook", delivery, message })),
  };
}

export const webhookRoutes = new Hono<AppEnv>();

webhookRoutes.route("/slack", slackWebhookRoutes);

webhookRoutes.post("/github", async (c) => {
  // The raw bytes: the signature covers exactly what GitHub sent, so nothing may parse first.
  const raw = new Uint8Array(await c.req.arrayBuffer());
  const outcome = await receiveGithubWebhook(
    c.env,
    {
      event: c.req.header("x-github-event"),
      delivery: c.req.header("x-github-delivery"),
      signature: c.req.header("x-hub-signature-256"),
    },
    raw,
    Date.now(),
  );
  const action = outcome.action;
  if (action && action.kind !== "ignore") {
    const log = logger(c.req.header("x-github-delivery"));
    // Answer now; the work (GitHub calls, session creation) continues after the response, and
    // starts only once the 202 has had time to leave (docs/performance.md, "Webhook ack").
    c.executionCtx.waitUntil(afterAck().then(() => processWebhook(c.env, action, outcome.deliveryId, log)));
  }
  const push = outcome.warmPush;
  if (push) {
    const log = logger(c.req.header("x-github-delivery"));
    c.executionCtx.waitUntil(
      afterAck()
        .then(() => handleWarmPush(c.env, push, log))
        .catch((err: unknown) => log.info(`warm start: ${err instanceof Error ? err.message : "failed"}`)),
    );
  }
  return c.json(outcome.body, outcome.status);
});

webhookRoutes.post("/linear", async (c) => {
  // The raw bytes: the signature covers exactly what Linear sent, so nothing may parse first.
  const raw = new Uint8Array(await c.req.arrayBuffer());
  const delivery = c.req.header("linear-delivery");
  const outcome = await receiveLinearWebhook(
    c.env,
    { signature: c.req.header("linear-signature"), delivery },
    raw,
    Date.now(),
  );
  const intent = outcome.intent;
  if (intent) {
    const log = {
      info: (message: string) => console.log(JSON.stringify({ source: "linear-webhook", delivery, message })),
    };
    // Linear wants its 200 within 5 s; the first activity follows right after it (router.ts).
    c.executionCtx.waitUntil(
      afterAck().then(() => processLinearDelivery(c.env, intent, outcome.deliveryId, log)),
    );
  }
  return c.json(outcome.body, 200);
});
