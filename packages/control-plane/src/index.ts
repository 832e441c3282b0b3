/** Worker entry: the Hono app for HTTP, and the Durable Object classes wrangler binds. */
import { createApp } from "./app";
import type { Bindings } from "./env";
import { runScheduledMaintenance } from "./maintenance/scheduled";

export { AutomationSchedule } from "./automations/schedule/automation-schedule";
export { SandboxSlots } from "./capacity/slots";
export { TenantRateLimiter } from "./rate-limit/tenant-limiter";
export { SessionAgent } from "./session/agent";
export { WarmPool } from "./warm/warm-pool";

const app = createApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
  // Cron (wrangler.toml [triggers]): stuck-session repair and webhook-history pruning.
  scheduled: (controller, env, ctx) => ctx.waitUntil(runScheduledMaintenance(env, controller.scheduledTime)),
} satisfies ExportedHandler<Bindings>;
