/**
 * A sandbox holds no forge credential: the token broker (`POST /sandbox/git-credentials`) is gone,
 * git goes through the git proxy, and nothing the control plane answers a sandbox carries an
 * installation token. A finished session's token is refused on the bridge. Real Worker, real
 * DO, the GitHub App double.
 */
import { env } from "cloudflare:test";
import { BridgeCloseCode, type Session } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { githubTenant } from "./github-tenant";
import { api, createSession, postJson, waitFor } from "./helpers";
import { SandboxClient, useIncarnation } from "./sandbox-client";

const doubleHost = () => new URL((env as unknown as { GITHUB_APP_WEB_URL: string }).GITHUB_APP_WEB_URL).host;
/** What GitHub installation tokens look like (the double mints the same shape). */
const INSTALLATION_TOKEN = /ghs_[A-Za-z0-9_]+/;

async function githubSession(name: string): Promise<Session> {
  const res = await postJson(
    "/api/v1/sessions",
    { repo: { kind: "github", owner: "acme", name }, prompt: "Fix it" },
    {},
    await githubTenant(),
  );
  if (res.status !== 201) throw new Error(`create session failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as Session;
}

/** Status, headers and body of a response, as one text to search. */
async function wholeAnswer(res: Response): Promise<string> {
  const headers = [...res.headers].map(([name, value]) => `${name}: ${value}`).join("\n");
  return `${res.status}\n${headers}\n\n${new TextDecoder("latin1").decode(await res.arrayBuffer())}`;
}

describe("no forge credential reaches a sandbox", () => {
  it("the git credential broker is gone: POST /sandbox/git-credentials is 404 even with a live sandbox token, and no answer to the sandbox carries an installation token", async () => {
    const session = await githubSession("widgets");
    const token = await useIncarnation(session, "inc-no-broker-1");
    const answers: string[] = [];
    for (const target of [
      { protocol: "http", host: doubleHost(), path: "acme/widgets.git" },
      { protocol: "https", host: "github.com", path: "acme/widgets.git" },
    ]) {
      const res = await postJson("/sandbox/git-credentials", target, { authorization: `Bearer ${token}` });
      expect(res.status).toBe(404);
      answers.push(await wholeAnswer(res));
    }
    // What the sandbox does get: the git proxy's answers (the proxy used the installation token upstream).
    const basic = { authorization: `Basic ${btoa(`x-sandbox-token:${token}`)}` };
    for (const service of ["git-upload-pack", "git-receive-pack"]) {
      const res = await api(
        `/sandbox/git/github/acme/widgets.git/info/refs?service=${service}`,
        { headers: basic },
        null,
      );
      expect(res.status, service).toBe(200);
      answers.push(await wholeAnswer(res));
    }
    const bridge = await SandboxClient.connect(token);
    bridge.send({ v: 1, type: "hello", runtimeVersion: "test", lastSeq: 0 });
    await bridge.waitFor("welcome");
    answers.push(JSON.stringify(bridge.frames));
    bridge.close();
    for (const answer of answers) expect(answer).not.toMatch(INSTALLATION_TOKEN);
  });
});

async function statusOf(session: Session, as?: Parameters<typeof api>[2]): Promise<string> {
  const res = await api(`/api/v1/sessions/${session.id}`, {}, as);
  return ((await res.json()) as Session).status;
}

describe("a finished session's sandbox token", () => {
  it("is refused on the bridge with the final 'session ended' close code", async () => {
    const session = await createSession("finish me");
    const token = await useIncarnation(session, "inc-finished-2");
    const live = await SandboxClient.connect(token);
    live.send({ v: 1, type: "hello", runtimeVersion: "test", lastSeq: 0 });
    await live.waitFor("welcome");

    const stop = await postJson(`/api/v1/sessions/${session.id}/stop`, {});
    expect(stop.status).toBeLessThan(300);
    await waitFor("the session to stop", async () => (await statusOf(session)) === "stopped");

    const again = await SandboxClient.connect(token);
    expect(await again.waitForClose()).toBe(BridgeCloseCode.sessionEnded);
    live.close();
  });
});
