/** The Worker's scheduled handler, run in a test as the runtime runs it. */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { Bindings } from "../src/env";

/** Runs the Worker's cron handler as the runtime would, and waits for its waitUntil work. */
export async function runCron(): Promise<void> {
  // Imported here: importing the Worker's entry at the top would load a second copy of the DO class.
  const handler = (await import("../src/index")).default as ExportedHandler<Bindings>;
  expect(typeof handler.scheduled).toBe("function");
  const ctx = createExecutionContext();
  await handler.scheduled?.(
    createScheduledController({ scheduledTime: new Date(), cron: "*/5 * * * *" }),
    env as Bindings,
    ctx,
  );
  await waitOnExecutionContext(ctx);
}
