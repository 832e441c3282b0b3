/**
 * A double of GitHub's OAuth web flow and the two REST calls sign-in makes, speaking GitHub's
 * wire format, laid out like GitHub Enterprise Server (web at `/`, REST at `/api/v3`):
 *   GET  /login/oauth/authorize      → 302 to redirect_uri with `code` and `state`
 *   POST /login/oauth/access_token   → 200 JSON token, or 200 JSON `{error, error_description}`
 *   GET  /api/v3/user, /user/emails  → the signed-in user, or 401 "Bad credentials"
 * Codes are single-use, expire after ten minutes and honour PKCE (S256) when a challenge was sent.
 * The `login` authorize parameter (a real GitHub hint) picks which fixture user signs in.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export interface GithubUserFixture {
  id: number;
  login: string;
  name: string | null;
  /** The public email; null makes clients ask /user/emails, like a user with a private address. */
  email: string | null;
  emails?: { email: string; primary: boolean; verified: boolean }[];
}

export interface GithubOAuthDoubleOptions {
  clientId: string;
  clientSecret: string;
  users: GithubUserFixture[];
}

export interface RecordedGithubRequest {
  method: string;
  path: string;
}

export interface GithubOAuthDouble {
  /** The web base URL (what GITHUB_WEB_URL should be). */
  url: string;
  /** The REST base URL (what GITHUB_API_URL should be). */
  apiUrl: string;
  requests: RecordedGithubRequest[];
  close(): Promise<void>;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  login: string;
  challenge: string | null;
  expiresAt: number;
}

const CODE_TTL_MS = 10 * 60 * 1000;
const DOCS =
  "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors";

function token(prefix: string): string {
  return `${prefix}${randomBytes(18).toString("hex")}`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
}

/** GitHub accepts the token request as a form or as JSON. */
function parseParams(raw: string, contentType: string | undefined): Record<string, string> {
  if (contentType?.includes("application/json")) {
    try {
      const parsed = JSON.parse(raw) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

function tokenError(res: ServerResponse, error: string, description: string): void {
  sendJson(res, 200, { error, error_description: description, error_uri: DOCS });
}

export async function startGithubOAuthDouble(options: GithubOAuthDoubleOptions): Promise<GithubOAuthDouble> {
  const codes = new Map<string, PendingCode>();
  const tokens = new Map<string, string>();
  const requests: RecordedGithubRequest[] = [];
  const userByLogin = new Map(options.users.map((u) => [u.login.toLowerCase(), u]));

  function authorize(url: URL, res: ServerResponse): void {
    const q = url.searchParams;
    const redirectUri = q.get("redirect_uri");
    if (q.get("client_id") !== options.clientId || !redirectUri) {
      res.writeHead(404, { "content-type": "text/plain" }).end("unknown client_id or missing redirect_uri");
      return;
    }
    const method = q.get("code_challenge_method");
    if (q.get("code_challenge") && method !== "S256") {
      res.writeHead(400, { "content-type": "text/plain" }).end("code_challenge_method must be S256");
      return;
    }
    const login = (q.get("login") ?? options.users[0]?.login ?? "").toLowerCase();
    if (!userByLogin.has(login)) {
      res.writeHead(404, { "content-type": "text/plain" }).end(`no fixture user '${login}'`);
      return;
    }
    const code = token("");
    codes.set(code, {
      clientId: options.clientId,
      redirectUri,
      login,
      challenge: q.get("code_challenge"),
      expiresAt: Date.now() + CODE_TTL_MS,
    });
    const back = new URL(redirectUri);
    back.searchParams.set("code", code);
    const state = q.get("state");
    if (state !== null) back.searchParams.set("state", state);
    res.writeHead(302, { location: back.toString() }).end();
  }

  async function accessToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const p = parseParams(await readBody(req), req.headers["content-type"]);
    if (p.client_id !== options.clientId || p.client_secret !== options.clientSecret) {
      tokenError(
        res,
        "incorrect_client_credentials",
        "The client_id and/or client_secret passed are incorrect.",
      );
      return;
    }
    const pending = p.code ? codes.get(p.code) : undefined;
    if (p.code) codes.delete(p.code);
    if (!pending || pending.expiresAt < Date.now()) {
      tokenError(res, "bad_verification_code", "The code passed is incorrect or expired.");
      return;
    }
    if (p.redirect_uri && p.redirect_uri !== pending.redirectUri) {
      tokenError(
        res,
        "redirect_uri_mismatch",
        "The redirect_uri MUST match the registered callback URL for this application.",
      );
      return;
    }
    if (pending.challenge) {
      const computed = p.code_verifier
        ? createHash("sha256").update(p.code_verifier).digest("base64url")
        : "";
      if (computed !== pending.challenge) {
        tokenError(res, "bad_verification_code", "The code_verifier does not match the code_challenge.");
        return;
      }
    }
    const access = token("gho_");
    tokens.set(access, pending.login);
    sendJson(res, 200, { access_token: access, token_type: "bearer", scope: "read:user,user:email" });
  }

  function api(req: IncomingMessage, path: string, res: ServerResponse): void {
    const auth = /^(?:bearer|token)\s+(\S+)$/i.exec(req.headers.authorization ?? "");
    const login = auth?.[1] ? tokens.get(auth[1]) : undefined;
    const user = login ? userByLogin.get(login) : undefined;
    if (!user) {
      sendJson(res, 401, {
        message: "Bad credentials",
        documentation_url: "https://docs.github.com/rest",
        status: "401",
      });
      return;
    }
    if (path === "/user") {
      sendJson(res, 200, {
        login: user.login,
        id: user.id,
        node_id: `U_${user.id}`,
        avatar_url: `https://avatars.githubusercontent.com/u/${user.id}?v=4`,
        type: "User",
        site_admin: false,
        name: user.name,
        email: user.email,
      });
      return;
    }
    sendJson(
      res,
      200,
      user.emails ??
        (user.email ? [{ email: user.email, primary: true, verified: true, visibility: "public" }] : []),
    );
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://double.invalid");
    requests.push({ method: req.method ?? "GET", path: url.pathname });
    if (req.method === "GET" && url.pathname === "/login/oauth/authorize") return authorize(url, res);
    if (req.method === "POST" && url.pathname === "/login/oauth/access_token") {
      accessToken(req, res).catch(() => res.writeHead(500).end());
      return;
    }
    const apiPath = url.pathname.replace(/^\/api\/v3/, "");
    if (req.method === "GET" && (apiPath === "/user" || apiPath === "/user/emails"))
      return api(req, apiPath, res);
    sendJson(res, 404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("GitHub OAuth double has no TCP address");
  const url = `http://127.0.0.1:${address.port}`;
  return {
    url,
    apiUrl: `${url}/api/v3`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
