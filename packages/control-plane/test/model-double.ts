/**
 * Node side (global setup): the testkit scripted model as the gateway's upstream, plus a small
 * control server on loopback so tests inside workerd can queue replies and read what the model
 * received (headers included). One model for the run; the gateway test file is its only user.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startScriptedModel } from "../../testkit/src/model/scripted-model";

export async function startModelDouble() {
  const model = await startScriptedModel();
  const control = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      try {
        if (req.method === "POST" && req.url === "/enqueue") {
          model.enqueue(...(JSON.parse(Buffer.concat(chunks).toString("utf8")) as never[]));
          res.writeHead(204).end();
        } else if (req.method === "GET" && req.url === "/requests") {
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(model.requests));
        } else if (req.method === "POST" && req.url === "/reset") {
          model.requests.length = 0;
          res.writeHead(204).end();
        } else res.writeHead(404).end();
      } catch (error) {
        res.writeHead(400).end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => control.listen(0, "127.0.0.1", resolve));
  return {
    url: model.url,
    controlUrl: `http://127.0.0.1:${(control.address() as AddressInfo).port}`,
    close: async () => {
      await model.close();
      await new Promise<void>((resolve) => control.close(() => resolve()));
    },
  };
}
