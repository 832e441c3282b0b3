/** POST /webhooks/slack/events: Slack's Events API request URL (docs/slack-app.md). */
import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { receiveSlackEvent, SlackInbound } from "./ingress";

/** One JSON line per outcome; never the event's text, which is private conversation. */
function logger(retry: string | undefined) {
  return {
    info: (message: string) =>
      console.log(JSON.stringify({ source: "slack-events", ...(retry ? { retry } : {}), message })),
  };
}

/**
 * The routing starts this long after the answer: under workerd, D1 work begun in waitUntil runs
 * before an already-returned response is written out (see routes/webhooks.ts, ACK_HEADSTART_MS).
 */
const ACK_HEADSTART_MS = 25;

const afterAck = () => new Promise<void>((resolve) => setTimeout(resolve, ACK_HEADSTART_MS));

export const slackWebhookRoutes = new Hono<AppEnv>().post("/events", async (c) => {
  // The raw bytes: the signature covers exactly what Slack sent, so nothing may parse first.
  const body = new Uint8Array(await c.req.arrayBuffer());
  const ack = await receiveSlackEvent(c.env, {
    header: (name) => c.req.header(name),
    body,
    receivedAt: Date.now(),
  });
  const intent = ack.intent;
  if (intent) {
    const log = logger(c.req.header("x-slack-retry-num"));
    // Slack wants its 200 within three seconds: the work (Slack and GitHub calls, the session) follows it.
    c.executionCtx.waitUntil(
      afterAck()
        .then(() => new SlackInbound(c.env).route(intent, log))
        .catch((error: unknown) =>
          log.info(
            `handling ${intent.kind} failed: ${error instanceof Error ? error.message : "unknown error"}`,
          ),
        ),
    );
  }
  return c.json(ack.body, 200);
});
