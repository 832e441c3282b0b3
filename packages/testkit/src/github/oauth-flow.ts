/**
 * The OAuth web flow on the GitHub double (authorize → code → `gho_` user token), so the same
 * server can stand in for sign-in and for user-token API calls. Codes are single-use and expire
 * after ten minutes; `login` picks the fixture user who signs in.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { GithubState } from "./github-state";
import { readBody, sendJson } from "./http-io";

const CODE_TTL_MS = 10 * 60 * 1000;

export class OAuthFlow {
  private readonly codes = new Map<string, { login: string; redirectUri: string; expiresAt: number }>();

  private readonly state: GithubState;
  private readonly userTokens: Map<string, string>;
  private readonly now: () => number;

  constructor(state: GithubState, userTokens: Map<string, string>, now: () => number) {
    this.state = state;
    this.userTokens = userTokens;
    this.now = now;
  }

  /** Issues a user token directly (a test that skips the browser dance). */
  issueToken(login: string): string {
    if (!this.state.user(login)) throw new Error(`GitHub double: no fixture user '${login}'`);
    const token = `gho_${randomBytes(18).toString("hex")}`;
    this.userTokens.set(token, login.toLowerCase());
    return token;
  }

  /** `browserUser` stands in for the login of a browser that gives no `login` parameter. */
  authorize(url: URL, res: ServerResponse, browserUser: string | null = null): void {
    const q = url.searchParams;
    const redirectUri = q.get("redirect_uri");
    const login = q.get("login") ?? browserUser ?? "";
    if (q.get("client_id") !== this.state.app.clientId || !redirectUri || !this.state.user(login)) {
      res.writeHead(404, { "content-type": "text/plain" }).end("unknown client_id, redirect_uri or login");
      return;
    }
    const code = randomBytes(10).toString("hex");
    this.codes.set(code, { login, redirectUri, expiresAt: this.now() + CODE_TTL_MS });
    const back = new URL(redirectUri);
    back.searchParams.set("code", code);
    const state = q.get("state");
    if (state !== null) back.searchParams.set("state", state);
    res.writeHead(302, { location: back.toString() }).end();
  }

  async accessToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = (await readBody(req)).toString("utf8");
    let p: Record<string, string>;
    try {
      p = req.headers["content-type"]?.includes("json")
        ? (JSON.parse(raw) as Record<string, string>)
        : Object.fromEntries(new URLSearchParams(raw));
    } catch {
      p = {};
    }
    if (p.client_id !== this.state.app.clientId || p.client_secret !== this.state.app.clientSecret) {
      sendJson(res, 200, {
        error: "incorrect_client_credentials",
        error_description: "The client_id and/or client_secret passed are incorrect.",
      });
      return;
    }
    const pending = p.code ? this.codes.get(p.code) : undefined;
    if (p.code) this.codes.delete(p.code);
    if (!pending || pending.expiresAt < this.now()) {
      sendJson(res, 200, {
        error: "bad_verification_code",
        error_description: "The code passed is incorrect or expired.",
      });
      return;
    }
    sendJson(res, 200, { access_token: this.issueToken(pending.login), token_type: "bearer", scope: "" });
  }
}
