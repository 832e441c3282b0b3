import { waitFor } from "@nightshift/testkit/wait-for";
import { afterEach, describe, expect, it } from "vitest";
import { workerDirectUrl } from "./direct-socket";
import { type ManagedProcess, startProcess } from "./processes";

/** A child process that listens on one socket per status, answering the health route with it. */
const SERVE = `
  const http = require("node:http");
  const serve = (status) => new Promise((ok) => {
    const server = http.createServer((q, r) => { r.statusCode = q.url === "/api/v1/health" ? status : 404; r.end("{}"); });
    server.listen(0, "127.0.0.1", () => ok(server.address().port));
  });
  Promise.all(JSON.parse(process.argv[1]).map(serve)).then((ports) => process.send(ports));
`;

/** A process in between, as wrangler's `cli.js` is between `wrangler.js` and its workerd: it runs SERVE and passes its ports up. */
const RELAY = `
  const { spawn } = require("node:child_process");
  const p = spawn(process.execPath, ["-e", process.argv[1], process.argv[2]], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  p.once("message", (ports) => process.send(ports));
`;

/**
 * A stand-in for `wrangler dev`: two processes below it, as wrangler's two workerd are. The first,
 * the "proxy", a child, answers the health route on the port callers are given; the second, the
 * "Worker", a grandchild (below a relay, as the real workerd are), has a socket that answers 404
 * (as workerd's inspector does) and, when `workerAnswers`, one that answers the health route.
 * Prints the ports as JSON.
 */
function fakeWranglerScript(workerAnswers: boolean): string {
  return `
    const { spawn } = require("node:child_process");
    const run = (args) => new Promise((ok) => {
      const p = spawn(process.execPath, args, { stdio: ["ignore", "inherit", "inherit", "ipc"] });
      p.once("message", ok);
    });
    const serve = ${JSON.stringify(SERVE)};
    (async () => {
      const [proxy] = await run(["-e", serve, "[200]"]);
      const [inspector, worker] = await run(["-e", ${JSON.stringify(RELAY)}, serve, ${JSON.stringify(workerAnswers ? "[404, 200]" : "[404]")}]);
      console.log(JSON.stringify({ proxy, inspector, worker: worker ?? null }));
    })();
  `;
}

interface Ports {
  proxy: number;
  inspector: number;
  worker: number | null;
}

const started: ManagedProcess[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.stop()));
});

async function fakeWrangler(workerAnswers: boolean): Promise<{ process: ManagedProcess; ports: Ports }> {
  const process = startProcess("fake-wrangler", globalThis.process.execPath, [
    "-e",
    fakeWranglerScript(workerAnswers),
  ]);
  started.push(process);
  const line = await waitFor(
    () => process.recentOutput().match(/^\{"proxy".*\}$/m)?.[0],
    "the fake wrangler's ports",
  ).catch((error: Error) => {
    throw new Error(`${error.message}; it printed: ${process.recentOutput() || "nothing"}`);
  });
  return { process, ports: JSON.parse(line) as Ports };
}

describe("workerDirectUrl", () => {
  it("finds the Worker's socket: not the proxy's, though it answers too, nor one that answers 404", async () => {
    const { process, ports } = await fakeWrangler(true);
    await expect(workerDirectUrl(process, `http://127.0.0.1:${ports.proxy}`)).resolves.toBe(
      `http://127.0.0.1:${ports.worker}`,
    );
  });

  it("says how many sockets it tried when none of them answers", async () => {
    const { process, ports } = await fakeWrangler(false);
    await expect(workerDirectUrl(process, `http://127.0.0.1:${ports.proxy}`)).rejects.toThrow(
      /none of the 1 sockets .* answers \/api\/v1\/health/,
    );
  });
});
