/** /webhooks/*: public ingress for signed deliveries from integrations (GitHub today). */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { receiveGithubWebhook } from "../services/github-webhooks";

export const webhookRoutes = new Hono<AppEnv>();

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
  return c.json(outcome.body, outcome.status);
});
