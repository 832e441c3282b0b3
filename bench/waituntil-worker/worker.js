/**
 * A control for the webhook benchmark: a Worker that answers 202 at once and does work after the
 * answer with `ctx.waitUntil`, like POST /webhooks/github does for a trigger. The kind of work is
 * chosen per request (none, loopback fetches, D1 inserts, a new SQLite Durable Object), so the
 * benchmark can see which kinds delay the 202 under `wrangler dev`. When the work is done it calls
 * the benchmark's `/done`, so the next request starts on an idle Worker.
 */
export class Box {
  constructor(state) {
    this.sql = state.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, v TEXT)");
  }

  async fetch() {
    this.sql.exec("INSERT INTO t VALUES (?, ?)", crypto.randomUUID(), "x".repeat(500));
    return new Response("ok");
  }
}

async function work(env, q) {
  const n = (name) => Number(q.get(name) ?? 0);
  if (q.get("yield") === "1") await new Promise((resolve) => setTimeout(resolve, 0));
  for (let i = 0; i < n("fetch"); i++) await (await fetch(`${q.get("back")}/echo`)).text();
  for (let i = 0; i < n("d1"); i++)
    await env.DB.prepare("INSERT INTO t VALUES (?, ?)").bind(crypto.randomUUID(), "x".repeat(500)).run();
  for (let i = 0; i < n("do"); i++) await env.BOX.get(env.BOX.newUniqueId()).fetch("http://box/");
  await (await fetch(`${q.get("back")}/done?id=${q.get("id")}`)).text();
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/setup") {
      await env.DB.prepare("CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, v TEXT)").run();
      return Response.json({ ok: true });
    }
    if (url.pathname === "/ack") {
      ctx.waitUntil(work(env, url.searchParams));
      return Response.json({ received: true }, { status: 202 });
    }
    return Response.json({ ok: true });
  },
};
