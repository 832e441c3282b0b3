import { readFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startWorker } from "./src/worker";
import { localSecrets } from "./src/dev-login";
import { freePort } from "./src/ports";
const cpu = () => { const f = readFileSync("/proc/stat", "utf8").split("\n")[0]!.split(/\s+/).slice(1).map(Number); return f[0]! + f[1]! + f[2]! + f[4]! + f[5]! + f[6]!; };
for (let i = 0; i < 3; i++) {
  const a = cpu(); const t = Date.now();
  const port = await freePort();
  const w = await startWorker({ port, persistDir: join(mkdtempSync(join(tmpdir(), "cost-")), "wrangler"), vars: { ...localSecrets(), PUBLIC_URL: `http://127.0.0.1:${port}` } });
  const b = cpu(); const up = Date.now() - t;
  const t2 = Date.now(); await fetch(`${w.url}/api/v1/health`); const h2 = Date.now() - t2;
  await w.close();
  console.log(`worker up ${up} ms, ${(b - a) / 100} core-s; second health ${h2} ms`);
}
