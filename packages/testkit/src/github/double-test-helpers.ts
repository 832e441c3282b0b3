/**
 * What the GitHub double's own tests share: an App JWT signer, a REST caller, an installation
 * token minter and a webhook sink that records each signed delivery. Test-only; not exported.
 */
import { createSign } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { GithubDouble } from "./github-double";

export function appJwt(pem: string, iss: number | string, opts: { iat?: number; exp?: number } = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const claims = { iss, iat: opts.iat ?? now - 60, exp: opts.exp ?? now + 540 };
  const unsigned = `${enc({ alg: "RS256", typ: "JWT" })}.${enc(claims)}`;
  const signature = createSign("RSA-SHA256").update(unsigned).sign(pem).toString("base64url");
  return `${unsigned}.${signature}`;
}

export interface ApiReply<T = Record<string, unknown>> {
  status: number;
  link: string | null;
  json: T;
}

/** Calls the double's REST API; `body` objects are sent as JSON. */
export async function callApi<T = Record<string, unknown>>(
  gh: GithubDouble,
  path: string,
  init: { method?: string; token?: string; body?: unknown } = {},
): Promise<ApiReply<T>> {
  const res = await fetch(`${gh.apiUrl}${path}`, {
    method: init.method ?? "GET",
    headers: {
      accept: "application/vnd.github+json",
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, link: res.headers.get("link"), json: (text ? JSON.parse(text) : null) as T };
}

/** An installation token for `installationId`, minted as the App. */
export async function mintToken(
  gh: GithubDouble,
  installationId: number,
  body: Record<string, unknown> = {},
): Promise<string> {
  const reply = await callApi(gh, `/app/installations/${installationId}/access_tokens`, {
    method: "POST",
    token: appJwt(gh.app.privateKeyPem, gh.app.id),
    body,
  });
  if (reply.status !== 201) throw new Error(`mint failed: ${reply.status} ${JSON.stringify(reply.json)}`);
  return String(reply.json.token);
}

export interface Delivery {
  headers: IncomingHttpHeaders;
  body: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary payload fields
  payload: any;
}

/** A loopback receiver for the double's webhooks; answers 202 and keeps every delivery in order. */
export async function startWebhookSink(): Promise<{
  url: string;
  deliveries: Delivery[];
  last(): Delivery;
  close(): Promise<void>;
}> {
  const deliveries: Delivery[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      deliveries.push({ headers: req.headers, body, payload: JSON.parse(body) });
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("webhook sink has no address");
  return {
    url: `http://127.0.0.1:${address.port}/webhooks/github`,
    deliveries,
    last() {
      const d = deliveries.at(-1);
      if (!d) throw new Error("no webhook delivered yet");
      return d;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
