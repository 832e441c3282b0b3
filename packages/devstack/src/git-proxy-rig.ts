/**
 * A control plane whose sandboxes are recorded (no agent runs) in front of the GitHub double, for
 * driving the real `git` CLI through the git proxy (/sandbox/git/*): each new session hands back
 * the sandbox token the control plane gave its "sandbox" and the proxy remote to use with it.
 * The direct remote carries an installation token minted straight from the double, so the same
 * run can compare proxy and direct.
 */
import { createSign } from "node:crypto";
import type { Session } from "@nightshift/protocol";
import { type GithubDouble, startGithubDouble } from "@nightshift/testkit/github";
import { type GithubTenant, type RecordedStack, startRecordedStack } from "./recorded-stack";
import { sandboxTokenFromHost } from "./sandbox-bootstrap";
import { BridgeClient } from "./sandbox-socket";
import { createSession } from "./session-calls";

export const RIG_OWNER = "octo";
export const RIG_REPO = "widgets";
const INSTALLATION = 7;
/** Well inside the bridge's 45 s heartbeat staleness. */
const HEARTBEAT_MS = 10_000;

export interface ProxySession {
  session: Session;
  token: string;
  /** The proxy remote with the sandbox token as the Basic password, as the runtime's helper answers. */
  remote: string;
}

/**
 * Plays the runtime on the bridge (hello, ready, then heartbeats), so the session does not fail for a
 * sandbox that never connected while a slow benchmark round is still using its token.
 */
async function keepAlive(url: string, token: string): Promise<() => void> {
  const bridge = await BridgeClient.connect(url, token);
  bridge.send({ v: 1, type: "hello", runtimeVersion: "git-proxy-rig", lastSeq: 0 });
  // Until "ready" only the connect deadline runs, and heartbeats do not extend it.
  bridge.send({ v: 1, type: "ready" });
  const timer = setInterval(() => bridge.send({ v: 1, type: "heartbeat" }), HEARTBEAT_MS);
  return () => {
    clearInterval(timer);
    bridge.close();
  };
}

export interface GitProxyRig {
  gh: GithubDouble;
  stack: RecordedStack;
  tenant: GithubTenant;
  newSession(): Promise<ProxySession>;
  /** The double's remote for the repository with a fresh installation token (contents: write). */
  directRemote(): Promise<string>;
  close(): Promise<void>;
}

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString("base64url");
}

/** An App JWT (RS256) as GitHub expects, signed with the double's App key. */
function appJwt(appId: number, privateKeyPem: string): string {
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${base64url(JSON.stringify({ alg: "RS256", typ: "JWT" }))}.${base64url(
    JSON.stringify({ iat: now - 30, exp: now + 540, iss: String(appId) }),
  )}`;
  const signature = createSign("RSA-SHA256").update(unsigned).sign(privateKeyPem);
  return `${unsigned}.${base64url(signature)}`;
}

function withCredentials(url: string, username: string, password: string): string {
  const remote = new URL(url);
  remote.username = username;
  remote.password = password;
  return remote.toString();
}

export async function startGitProxyRig(
  files: Record<string, string> = { "README.md": "# widgets\n" },
  options: { echo?: boolean } = {},
) {
  const gh = await startGithubDouble({
    app: { slug: "nightshift-git-proxy" },
    users: [{ id: 101, login: RIG_OWNER }],
    repos: [{ owner: RIG_OWNER, name: RIG_REPO, files }],
    installations: [{ id: INSTALLATION, account: RIG_OWNER, repos: [`${RIG_OWNER}/${RIG_REPO}`] }],
  });
  let stack: RecordedStack;
  try {
    stack = await startRecordedStack({
      github: gh,
      echo: options.echo ?? false,
      vars: { RATE_LIMIT_SESSION_CREATE: "6000,1000", RATE_LIMIT_PROMPTS: "6000,1000" },
    });
  } catch (error) {
    await gh.close();
    throw error;
  }
  const tenant = await stack.connectGithub(RIG_OWNER, INSTALLATION);
  const stops: (() => void)[] = [];

  const rig: GitProxyRig = {
    gh,
    stack,
    tenant,
    async newSession() {
      const session = await createSession(
        { url: stack.url, headers: tenant.headers },
        { kind: "github", owner: RIG_OWNER, name: RIG_REPO },
        "Push it",
      );
      const token = await sandboxTokenFromHost(stack.host, stack.url, session.id);
      stops.push(await keepAlive(stack.url, token));
      const remote = withCredentials(
        `${stack.url}/sandbox/git/github/${RIG_OWNER}/${RIG_REPO}.git`,
        "x-sandbox-token",
        token,
      );
      return { session, token, remote };
    },
    async directRemote() {
      const res = await fetch(`${gh.apiUrl}/app/installations/${INSTALLATION}/access_tokens`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${appJwt(gh.app.id, gh.app.privateKeyPem)}`,
          accept: "application/vnd.github+json",
          "content-type": "application/json",
        },
        body: JSON.stringify({ permissions: { contents: "write" } }),
      });
      if (res.status !== 201) throw new Error(`minting an installation token failed: ${res.status}`);
      const { token } = (await res.json()) as { token: string };
      return withCredentials(`${gh.url}/${RIG_OWNER}/${RIG_REPO}.git`, "x-access-token", token);
    },
    async close() {
      for (const stop of stops) stop();
      await stack.close();
      await gh.close();
    },
  };
  return rig;
}
