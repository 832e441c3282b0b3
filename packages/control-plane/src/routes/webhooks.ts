/** /webhooks/*: public ingress for signed deliveries from integrations (GitHub today). */
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { runWebhookAction } from "../services/github-triggers";
import { receiveGithubWebhook } from "../services/github-webhooks";

/** One JSON line per outcome; never the payload, which may hold private repository text. */
function logger(delivery: string | undefined) {
  return {
    info: (message: string) => console.log(JSON.stringify({ source: "github-webhook", delivery, message })),
  };
}

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
  const action = outcome.action;
  if (action && action.kind !== "ignore") {
    const log = logger(c.req.header("x-github-delivery"));
    // Answer now; the work (GitHub calls, session creation) continues after the response.
    c.executionCtx.waitUntil(
      runWebhookAction(c.env, action, log).catch((error: unknown) =>
        log.info(
          `handling ${action.kind} failed: ${error instanceof Error ? error.message : "unknown error"}`,
        ),
      ),
    );
  }
  return c.json(outcome.body, outcome.status);
});
