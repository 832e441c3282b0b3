#!/usr/bin/env node
// `make dev`: runs the control-plane Worker under wrangler dev (local D1 + DOs) on 127.0.0.1
// and prints the URL once it answers. Ctrl-C stops everything this script started.
import { spawn } from "node:child_process";

const port = Number(process.env.NIGHTSHIFT_PORT ?? 8787);
const url = `http://127.0.0.1:${port}`;
const children = [];

function start(name, cmd, args, env = {}) {
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  const prefix = `[${name}] `;
  for (const stream of [child.stdout, child.stderr]) {
    stream.on("data", (d) => process.stdout.write(d.toString().replace(/^(?=.)/gm, prefix)));
  }
  child.on("exit", (code) => {
    console.log(`${prefix}exited with ${code}`);
    shutdown(code ?? 1);
  });
  children.push(child);
  return child;
}

function shutdown(code) {
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
  process.exit(code);
}
process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));

start("worker", "wrangler", [
  "dev",
  "--ip",
  "127.0.0.1",
  "--port",
  String(port),
  "--show-interactive-dev-session=false",
]);

const deadline = Date.now() + 60_000;
while (Date.now() < deadline) {
  try {
    const res = await fetch(`${url}/api/v1/health`);
    if (res.ok) break;
  } catch {
    // not up yet
  }
  await new Promise((r) => setTimeout(r, 250));
}
console.log(`\n  Nightshift is running at ${url}\n  API: ${url}/api/v1   health: ${url}/api/v1/health\n`);
