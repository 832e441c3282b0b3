/**
 * The model relay: the agent CLI's model API endpoint inside the sandbox. It listens on the
 * sandbox's loopback and forwards `/<provider>/<path>` to the control plane's model gateway
 * (`<control plane>/sandbox/model/<provider>/<path>`), adding the runtime's *current* sandbox
 * token. The agent holds neither a model key (the gateway injects it upstream) nor the sandbox
 * token (which would let it speak on the bridge): it sees a placeholder key and this address.
 * Bodies are piped both ways as they arrive, so streamed tokens are not held back.
 */
import {
  createServer,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
  type Server,
} from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import {
  CREDENTIAL_HEADERS,
  HOP_BY_HOP_HEADERS,
  MODEL_PROVIDERS,
  type ModelProvider,
} from "@nightshift/protocol";

export interface ModelRelayOptions {
  /** The control plane's base URL as the runtime reaches it (through the egress forwarder when isolated). */
  controlPlaneUrl: string;
  /** Read on every call: the token is renewed over the bridge. */
  token: () => string;
  /** 0 picks a free port. */
  port?: number;
}

export interface ModelRelay {
  port: number;
  /** The base URL an agent CLI of `provider` is given. */
  baseUrl(provider: ModelProvider): string;
  close(): Promise<void>;
}

/** Never passed on: whatever credential the agent presents, and hop-by-hop headers. */
const DROPPED = new Set([...CREDENTIAL_HEADERS, ...HOP_BY_HOP_HEADERS, "host"]);

function forwardedHeaders(incoming: IncomingMessage, token: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value !== undefined && !DROPPED.has(name)) out[name] = value;
  }
  out.authorization = `Bearer ${token}`;
  return out;
}

function fail(response: import("node:http").ServerResponse, status: number, message: string): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(status, { "content-type": "application/json" });
  // Anthropic's shape; OpenAI's and Google's clients read `error.message` from it too.
  response.end(JSON.stringify({ type: "error", error: { type: "api_error", message } }));
}

export async function startModelRelay(options: ModelRelayOptions): Promise<ModelRelay> {
  const gateway = new URL(options.controlPlaneUrl);
  const basePath = gateway.pathname.replace(/\/+$/, "");
  const secure = gateway.protocol === "https:";
  // Kept-alive connections to the control plane: a model call costs no new TCP (or TLS) handshake.
  const agent = secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  const send = secure ? httpsRequest : httpRequest;
  const sockets = new Set<Socket>();

  const server: Server = createServer({ noDelay: true }, (req, res) => {
    const url = new URL(req.url ?? "/", "http://relay.invalid");
    const [, provider, ...rest] = url.pathname.split("/");
    if (!provider || !(MODEL_PROVIDERS as readonly string[]).includes(provider)) {
      fail(res, 404, `the model relay serves /${MODEL_PROVIDERS.join(", /")} only`);
      return;
    }
    const upstream = send(
      {
        protocol: gateway.protocol,
        hostname: gateway.hostname,
        port: gateway.port || (secure ? 443 : 80),
        method: req.method,
        path: `${basePath}/sandbox/model/${provider}/${rest.join("/")}${url.search}`,
        headers: forwardedHeaders(req, options.token()),
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.headers);
        // Each chunk is written on as it comes: SSE deltas reach the agent one by one.
        answer.pipe(res);
        answer.on("error", () => res.destroy());
      },
    );
    upstream.setNoDelay(true);
    upstream.on("error", () => fail(res, 502, "the Nightshift model gateway could not be reached"));
    // The agent gave up (cancelled turn): stop the upstream call too, so the model stops generating.
    res.on("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    baseUrl: (provider) => `http://127.0.0.1:${port}/${provider}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}
