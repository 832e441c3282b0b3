/**
 * The egress proxy on its unix socket with real upstreams on 127.0.0.1: what it relays (plain
 * HTTP to a configured endpoint, a CONNECT tunnel, the control plane's WebSocket), what it
 * reports, and that closing it cuts live tunnels and removes the socket.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import {
  type AddressInfo,
  connect,
  createServer as createTcpServer,
  type Server as TcpServer,
} from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EGRESS_DENIALS_PATH, EgressDenial } from "@nightshift/protocol";
import { waitFor } from "@nightshift/testkit/wait-for";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { DenialReporter } from "../src/egress/denial-reporter";
import { buildEgressRules } from "../src/egress/egress-policy";
import { EgressProxy } from "../src/egress/egress-proxy";

const portOf = (server: Server | TcpServer) => (server.address() as AddressInfo).port;

describe("egress proxy", () => {
  let dir: string;
  let model: Server;
  let tlsEndpoint: TcpServer;
  let controlPlane: Server;
  let proxy: EgressProxy;
  const seenByModel: { url?: string; host?: string; proxyAuth?: string }[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ns-egress-"));
    model = createServer((req, res) => {
      seenByModel.push({
        url: req.url,
        host: req.headers.host,
        proxyAuth: req.headers["proxy-authorization"],
      });
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("model says hi");
    });
    // An echo standing in for TLS inside a tunnel, at a forwarded https endpoint.
    tlsEndpoint = createTcpServer((socket) => socket.pipe(socket));
    controlPlane = createServer((_req, res) => res.end("plain"));
    const sockets = new WebSocketServer({ server: controlPlane, path: "/sandbox/connect" });
    sockets.on("connection", (ws) => ws.on("message", (data) => ws.send(`echo ${data.toString()}`)));
    for (const server of [model, tlsEndpoint, controlPlane])
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    proxy = await EgressProxy.start({
      socketPath: join(dir, "egress.sock"),
      reporter: new DenialReporter(),
      rules: buildEgressRules({
        controlPlaneUrl: `http://127.0.0.1:${portOf(controlPlane)}`,
        hostEnv: {
          ANTHROPIC_BASE_URL: `http://127.0.0.1:${portOf(model)}`,
          // A forwarded https endpoint (the operator's direct mode): reached through a tunnel.
          OPENAI_BASE_URL: `https://127.0.0.1:${portOf(tlsEndpoint)}`,
        },
        patterns: [],
      }),
    });
  });

  afterAll(async () => {
    await proxy.close();
    for (const server of [model, tlsEndpoint, controlPlane]) server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function viaSocket(method: string, path: string, headers: Record<string, string> = {}) {
    return new Promise<{ status: number; body: string; headers: Record<string, unknown> }>(
      (resolve, reject) => {
        const req = request({ socketPath: proxy.socketPath, method, path, headers }, (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            body += chunk;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
        });
        req.on("error", reject);
        req.end();
      },
    );
  }

  it("relays plain HTTP to the configured model endpoint, keeping its Host and dropping proxy credentials", async () => {
    const url = `http://127.0.0.1:${portOf(model)}/v1/messages?beta=true`;
    const res = await viaSocket("POST", url, { "proxy-authorization": "Basic c2VjcmV0" });
    expect(res).toMatchObject({ status: 200, body: "model says hi" });
    expect(seenByModel.at(-1)).toEqual({
      url: "/v1/messages?beta=true",
      host: `127.0.0.1:${portOf(model)}`,
      proxyAuth: undefined,
    });
  });

  it("opens a CONNECT tunnel to a forwarded endpoint and carries bytes both ways", async () => {
    const socket = connect(proxy.socketPath);
    socket.write(
      `CONNECT 127.0.0.1:${portOf(tlsEndpoint)} HTTP/1.1\r\nHost: 127.0.0.1:${portOf(tlsEndpoint)}\r\n\r\n`,
    );
    let received = "";
    socket.on("data", (chunk) => {
      received += chunk.toString();
      if (received.endsWith("\r\n\r\n")) socket.write("ping through the tunnel");
    });
    await waitFor(() => received.includes("ping through the tunnel"), "the echo through the tunnel");
    expect(received.startsWith("HTTP/1.1 200 Connection Established\r\n\r\n")).toBe(true);
    socket.destroy();
  });

  it("reverse-proxies the control plane's WebSocket at /sandbox/connect", async () => {
    const ws = new WebSocket(`ws+unix://${proxy.socketPath}:/sandbox/connect`);
    const reply = await new Promise<string>((resolve, reject) => {
      ws.on("open", () => ws.send("hello"));
      ws.on("message", (data) => resolve(data.toString()));
      ws.on("error", reject);
    });
    expect(reply).toBe("echo hello");
    ws.close();
  });

  it("refuses a WebSocket upgrade to a control-plane route outside /sandbox/", async () => {
    const ws = new WebSocket(`ws+unix://${proxy.socketPath}:/api/live`);
    const status = await new Promise<number>((resolve) => {
      ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      ws.on("error", () => resolve(-1));
    });
    expect(status).toBe(403);
  });

  it("routes a request for the forwarder's own URL to the control plane, by the same path rule", async () => {
    expect(await viaSocket("GET", "http://127.0.0.1:3128/sandbox/anything")).toMatchObject({
      status: 200,
      body: "plain",
    });
    expect((await viaSocket("POST", "http://localhost:3128/auth/dev-login")).status).toBe(403);
  });

  it("refuses https:// in absolute form and proxied URLs that carry credentials", async () => {
    expect((await viaSocket("GET", `https://127.0.0.1:${portOf(model)}/`)).status).toBe(403);
    const withUser = await viaSocket("GET", `http://user:pw@127.0.0.1:${portOf(model)}/`);
    expect(withUser.status).toBe(403);
    expect(withUser.headers["x-nightshift-egress-denied"]).toMatch(/credentials/);
  });

  it("streams denials once per target, with no query string", async () => {
    const lines: EgressDenial[] = [];
    const stream = request({ socketPath: proxy.socketPath, path: EGRESS_DENIALS_PATH }, (res) => {
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        for (const line of chunk.split("\n").filter(Boolean))
          lines.push(EgressDenial.parse(JSON.parse(line)));
      });
    });
    stream.end();
    for (let i = 0; i < 10; i += 1) {
      const res = await viaSocket("GET", `http://203.0.113.7/collect?token=leaked-${i}`);
      expect(res.status).toBe(403);
    }
    await waitFor(() => lines.some((d) => d.target === "GET 203.0.113.7:80"), "the denial on the stream");
    expect(lines.filter((d) => d.target === "GET 203.0.113.7:80")).toHaveLength(1);
    expect(JSON.stringify(lines)).not.toContain("leaked");
    stream.destroy();
  });

  it.runIf(process.getuid?.() === 0)("hands the socket to the sandbox's uid, private to it", async () => {
    const owned = await EgressProxy.start({
      socketPath: join(dir, "owned.sock"),
      reporter: new DenialReporter(),
      uid: 65534,
      rules: buildEgressRules({
        controlPlaneUrl: "http://127.0.0.1:1",
        hostEnv: {},
        patterns: [],
      }),
    });
    const stat = statSync(owned.socketPath);
    expect(stat.isSocket()).toBe(true);
    expect(stat.uid).toBe(65534);
    expect(stat.mode & 0o777).toBe(0o600);
    await owned.close();
  });

  it("closing cuts open tunnels and removes the socket", async () => {
    const other = await EgressProxy.start({
      socketPath: join(dir, "other.sock"),
      reporter: new DenialReporter(),
      rules: buildEgressRules({
        controlPlaneUrl: "http://127.0.0.1:1",
        hostEnv: { OPENAI_BASE_URL: `https://127.0.0.1:${portOf(tlsEndpoint)}` },
        patterns: [],
      }),
    });
    const socket = connect(other.socketPath);
    socket.write(`CONNECT 127.0.0.1:${portOf(tlsEndpoint)} HTTP/1.1\r\n\r\n`);
    let closed = false;
    socket.on("data", () => {});
    socket.on("close", () => {
      closed = true;
    });
    await new Promise((resolve) => socket.once("data", resolve));
    await other.close();
    await waitFor(() => closed, "the tunnel to be cut");
    expect(existsSync(join(dir, "other.sock"))).toBe(false);
  });
});
