/**
 * The git proxy's cost per request on the session's DO: one RPC that answers both "who is this
 * sandbox" and "with which installation token do I go upstream". Calls the proxy's handler with
 * the real env whose DO namespace counts the RPCs it passes on; the upstream is the GitHub double.
 */
import { env } from "cloudflare:workers";
import type { Session } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../src/env";
import { handleGitRequest } from "../src/git-proxy/proxy";
import { forgetCachedCallers } from "../src/sandbox-auth/sandbox-caller";
import { sha256Hex } from "../src/secrets/encoding";
import { githubTenant } from "./github-tenant";
import { api, postJson, waitFor } from "./helpers";
import { useIncarnation } from "./sandbox-client";

const bindings = env as unknown as Bindings;

/** The real env, with a SESSION_AGENT whose stubs record each RPC method called on them. */
function countingEnv(calls: string[]): Bindings {
  const namespace = bindings.SESSION_AGENT;
  const countingNamespace = new Proxy(namespace, {
    get(target, property) {
      if (property !== "getByName") return Reflect.get(target, property);
      return (name: string) => {
        const stub = target.getByName(name);
        return new Proxy(stub, {
          get(inner, method) {
            if (typeof method !== "string" || method === "then") return Reflect.get(inner, method);
            // An RPC stub answers any property with a callable; call it through the stub itself.
            return (...args: unknown[]) => {
              calls.push(method);
              return (inner as unknown as Record<string, (...a: unknown[]) => unknown>)[method]?.(...args);
            };
          },
        });
      };
    },
  });
  return { ...bindings, SESSION_AGENT: countingNamespace };
}

async function githubSandbox(): Promise<{ session: Session; token: string }> {
  const res = await postJson(
    "/api/v1/sessions",
    { repo: { kind: "github", owner: "acme", name: "widgets" }, prompt: "Fix it" },
    {},
    await githubTenant(),
  );
  if (res.status !== 201) throw new Error(`create session failed: ${res.status} ${await res.text()}`);
  const session = (await res.json()) as Session;
  return { session, token: await useIncarnation(session, `inc-${crypto.randomUUID()}`) };
}

async function infoRefs(calls: string[], token: string, repo = "acme/widgets"): Promise<Response> {
  const deferred: Promise<unknown>[] = [];
  const request = new Request(
    `http://nightshift.test/sandbox/git/github/${repo}.git/info/refs?service=git-upload-pack`,
    { headers: { authorization: `Basic ${btoa(`x-sandbox-token:${token}`)}` } },
  );
  const res = await handleGitRequest(countingEnv(calls), request, (work) => deferred.push(work));
  await Promise.all(deferred);
  return res;
}

describe("git proxy: one DO call per request", () => {
  it("asks the session's DO once per git request for both the caller and the installation token", async () => {
    const { token } = await githubSandbox();
    forgetCachedCallers();
    for (let round = 1; round <= 3; round++) {
      const calls: string[] = [];
      const res = await infoRefs(calls, token);
      expect(res.status, `round ${round}`).toBe(200);
      await res.body?.cancel();
      expect(calls, `round ${round}`).toEqual(["gitAccess"]);
    }
  });

  it("refuses another repository after that one call, with 403 in words", async () => {
    const { token } = await githubSandbox();
    const calls: string[] = [];
    const res = await infoRefs(calls, token, "acme/gadgets");
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/only its session's repository/);
    expect(calls).toEqual(["gitAccess"]);
  });

  it("hands no installation token for another repository even when asked directly (the DO checks, not only the route)", async () => {
    const { session } = await githubSandbox();
    const jti = `inc-${crypto.randomUUID()}`;
    await useIncarnation(session, jti);
    const stub = bindings.SESSION_AGENT.getByName(session.id);
    const own = await stub.gitAccess(session.tenantId, await sha256Hex(jti), "github/acme/widgets");
    expect(own.ok && own.value.credential).toBeTruthy();
    const other = await stub.gitAccess(session.tenantId, await sha256Hex(jti), "github/acme/gadgets");
    expect(other.ok).toBe(true);
    expect(other.ok && other.value.credential).toBeNull();
  });

  it("refuses an ended session's token at the next request, with no window where a cached answer serves it", async () => {
    const { session, token } = await githubSandbox();
    const live = await infoRefs([], token);
    expect(live.status).toBe(200);
    await live.body?.cancel();
    const stop = await postJson(`/api/v1/sessions/${session.id}/stop`, {}, {}, await githubTenant());
    expect(stop.status).toBeLessThan(300);
    await waitFor("the session to stop", async () => {
      const res = await api(`/api/v1/sessions/${session.id}`, {}, await githubTenant());
      return ((await res.json()) as Session).status === "stopped";
    });
    const res = await infoRefs([], token);
    expect(res.status).toBe(410);
    expect(await res.text()).toMatch(/no longer honoured/);
  });
});
