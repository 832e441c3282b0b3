/** Worker entry: the Hono app for HTTP, and the Durable Object classes wrangler binds. */
import { createApp } from "./app";
import type { Bindings } from "./env";

export { SessionAgent } from "./session/agent";

const app = createApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Bindings>;
