/**
 * The git proxy end to end in workerd: /sandbox/git/* → session DO (sandbox caller, installation
 * token) → the GitHub double's git smart HTTP (real `git http-backend`). Pushes carry packs made
 * by real git (fixtures/git-proxy). Every refusal must be an answer git prints.
 */
import { runInDurableObject } from "cloudflare:test";
import type { Session } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { concatBytes, pktLine } from "../src/git-proxy/pkt-line";
import { forgetCachedCallers } from "../src/sandbox-auth/sandbox-caller";
import { mintSandboxToken } from "../src/sandbox-auth/token";
import type { SessionAgent } from "../src/session/agent";
import { OIDS, pack } from "./fixtures/git-proxy";
import { advertisedRefs, readReport, receivePackBody, ZERO_OID } from "./git-wire";
import { githubTenant } from "./github-tenant";
import { api, postJson, sessionStub, waitFor } from "./helpers";
import { TEST_SANDBOX_SECRET, useIncarnation } from "./sandbox-client";

const REMOTE = "/sandbox/git/github/acme/widgets.git";
const basic = (token: string) => ({ authorization: `Basic ${btoa(`x-sandbox-token:${token}`)}` });
const bytes = async (res: Response) => new Uint8Array(await res.arrayBuffer());

async function githubSession(name = "widgets", extra: Record<string, unknown> = {}): Promise<Session> {
  const res = await postJson(
    "/api/v1/sessions",
    { repo: { kind: "github", owner: "acme", name }, prompt: "Fix it", ...extra },
    {},
    await githubTenant(),
  );
  if (res.status !== 201) throw new Error(`create session failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as Session;
}

async function sandbox(
  extra: Record<string, unknown> = {},
): Promise<{ session: Session; token: string; own: string }> {
  const session = await githubSession("widgets", extra);
  const token = await useIncarnation(session, `inc-${crypto.randomUUID()}`);
  return { session, token, own: `refs/heads/${session.branch}` };
}

function infoRefs(token: string | null, service: string, remote = REMOTE) {
  return api(`${remote}/info/refs?service=${service}`, { headers: token ? basic(token) : {} }, null);
}

async function refs(token: string): Promise<Map<string, string>> {
  const res = await infoRefs(token, "git-receive-pack");
  expect(res.status).toBe(200);
  return advertisedRefs(await bytes(res));
}

async function push(token: string, body: Uint8Array, remote = REMOTE) {
  const res = await api(
    `${remote}/git-receive-pack`,
    {
      method: "POST",
      headers: { ...basic(token), "content-type": "application/x-git-receive-pack-request" },
      body,
    },
    null,
  );
  const raw = await bytes(res);
  return { status: res.status, type: res.headers.get("content-type"), raw, ...readReport(raw) };
}

/** Creates the session branch at C1 and moves it forward to C2, as the runtime's pushes would. */
async function branchAtC2(token: string, own: string): Promise<void> {
  const created = await push(
    token,
    receivePackBody([{ old: ZERO_OID, new: OIDS.c1, ref: own }], pack("create")),
  );
  expect(created.lines).toEqual(["unpack ok", `ok ${own}`]);
  const forward = await push(token, receivePackBody([{ old: OIDS.c1, new: OIDS.c2, ref: own }], pack("ff")));
  expect(forward.lines).toEqual(["unpack ok", `ok ${own}`]);
}

async function auditDetails(session: Session, action: string) {
  const res = await api(
    `/api/v1/tenants/${session.tenantId}/audit?action=${action}`,
    {},
    await githubTenant(),
  );
  const body = (await res.json()) as {
    entries: { target: { id: string }; detail: Record<string, unknown> }[];
  };
  return body.entries.filter((e) => e.target.id === session.id).map((e) => e.detail);
}

describe("git proxy: authentication", () => {
  it("answers a token-less request with 401 and a Basic challenge, so git asks its credential helper", async () => {
    const res = await infoRefs(null, "git-upload-pack");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Basic realm="nightshift"');
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
  });

  it("refuses an expired sandbox token with 401", async () => {
    const { session } = await sandbox();
    const expired = await mintSandboxToken(
      TEST_SANDBOX_SECRET,
      { sessionId: session.id, tenantId: session.tenantId, jti: "inc-expired" },
      -60,
    );
    const res = await infoRefs(expired, "git-upload-pack");
    expect(res.status).toBe(401);
    expect(await res.text()).toMatch(/expired/);
  });

  it("refuses a token signed with another secret (forged) with 401", async () => {
    const { session } = await sandbox();
    const forged = await mintSandboxToken(
      "another-secret-that-is-long-enough-0123456789",
      { sessionId: session.id, tenantId: session.tenantId, jti: "inc-forged" },
      600,
    );
    expect((await infoRefs(forged, "git-upload-pack")).status).toBe(401);
  });

  it("refuses the token of an ended session with 410 (a sandbox that outlives its session)", async () => {
    const { session, token } = await sandbox();
    const stop = await postJson(`/api/v1/sessions/${session.id}/stop`, {}, {}, await githubTenant());
    expect(stop.status).toBeLessThan(300);
    forgetCachedCallers();
    await waitFor("the proxy to refuse the ended session", async () => {
      const res = await infoRefs(token, "git-upload-pack");
      return res.status === 410 ? await res.text() : undefined;
    });
  });
});

describe("git proxy: fetch", () => {
  it("serves info/refs and upload-pack for the session's repository with no GitHub token in the answer", async () => {
    const { token } = await sandbox();
    const advert = await infoRefs(token, "git-upload-pack");
    expect(advert.status).toBe(200);
    expect(advert.headers.get("content-type")).toBe("application/x-git-upload-pack-advertisement");
    const advertBytes = await bytes(advert);
    const main = advertisedRefs(advertBytes).get("refs/heads/main");
    expect(main).toMatch(/^[0-9a-f]{40}$/);

    const want = new Blob([pktLine(`want ${main} side-band-64k ofs-delta\n`), "0000", pktLine("done\n")]);
    const res = await api(
      `${REMOTE}/git-upload-pack`,
      {
        method: "POST",
        headers: { ...basic(token), "content-type": "application/x-git-upload-pack-request" },
        body: new Uint8Array(await want.arrayBuffer()),
      },
      null,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-git-upload-pack-result");
    const text = new TextDecoder("latin1").decode(await bytes(res));
    expect(text).toContain("PACK");
    expect(text + new TextDecoder().decode(advertBytes)).not.toMatch(/ghs_/);
  });

  it("refuses another repository (push-to-other-repository attack) with 403 in words", async () => {
    const { session, token } = await sandbox();
    for (const service of ["git-upload-pack", "git-receive-pack"]) {
      const res = await infoRefs(token, service, "/sandbox/git/github/acme/gadgets.git");
      expect(res.status).toBe(403);
      expect(await res.text()).toMatch(/only its session's repository \(github\/acme\/widgets\)/);
    }
    const res = await push(
      token,
      receivePackBody([{ old: ZERO_OID, new: OIDS.c1, ref: "refs/heads/x" }], pack("create")),
      "/sandbox/git/github/acme/gadgets.git",
    );
    expect(res.status).toBe(403);
    const refused = await auditDetails(session, "sandbox.git_push_refused");
    expect(refused).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          ref: null,
          verdict: "refused",
          reason: expect.stringMatching(/not github\/acme\/gadgets/),
        }),
      ]),
    );
  });

  it("turns GitHub refusing the control plane's token into a 502 in words, never echoing the token", async () => {
    const { session, token } = await sandbox();
    expect((await infoRefs(token, "git-upload-pack")).status).toBe(200);
    const bogus = "ghs_revokedRevokedRevokedRevoked0123";
    await runInDurableObject(sessionStub(session.id), (agent: SessionAgent) => {
      // The App lost access after the token was cached: the double now answers 401 for it.
      const cache = (
        agent as unknown as {
          sandboxAccess: { parts: { githubCredentials: { cache: { current: { token: string } } } } };
        }
      ).sandboxAccess.parts.githubCredentials.cache;
      cache.current.token = bogus;
    });
    const res = await infoRefs(token, "git-upload-pack");
    expect(res.status).toBe(502);
    const text = await res.text();
    expect(text).toMatch(/GitHub \(acme\/widgets\) refused the control plane's credential \(HTTP 401\)/);
    expect(text).not.toMatch(/ghs_/);
  });

  it("does not serve dumb HTTP or unknown paths", async () => {
    const { token } = await sandbox();
    expect((await api(`${REMOTE}/info/refs`, { headers: basic(token) }, null)).status).toBe(404);
    expect((await api(`${REMOTE}/objects/info/packs`, { headers: basic(token) }, null)).status).toBe(404);
  });
});

describe("git proxy: push", () => {
  it("creates the session branch and moves it forward, as git push does; both audited as allowed", async () => {
    const { session, token, own } = await sandbox();
    await branchAtC2(token, own);
    expect((await refs(token)).get(own)).toBe(OIDS.c2);
    const merged = await push(
      token,
      receivePackBody([{ old: OIDS.c2, new: OIDS.c4, ref: own }], pack("merge")),
    );
    expect(merged.lines).toEqual(["unpack ok", `ok ${own}`]);
    expect((await refs(token)).get(own)).toBe(OIDS.c4);
    const allowed = await auditDetails(session, "sandbox.git_push_allowed");
    expect(allowed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ref: own, old: ZERO_OID, new: OIDS.c1, verdict: "allowed" }),
        expect.objectContaining({ ref: own, old: OIDS.c1, new: OIDS.c2, verdict: "allowed" }),
      ]),
    );
  });

  it("refuses a force-push to the session branch with a reason git prints, and the branch stays", async () => {
    const { session, token, own } = await sandbox();
    await branchAtC2(token, own);
    const res = await push(token, receivePackBody([{ old: OIDS.c2, new: OIDS.c3, ref: own }], pack("force")));
    expect(res.status).toBe(200);
    expect(res.type).toBe("application/x-git-receive-pack-result");
    expect(res.lines[0]).toBe("unpack ok");
    expect(res.lines[1]).toMatch(new RegExp(`^ng ${own} force-push to ${session.branch} refused`));
    expect(res.remote[0]).toMatch(/^nightshift: force-push/);
    expect((await refs(token)).get(own)).toBe(OIDS.c2);
    const refused = await auditDetails(session, "sandbox.git_push_refused");
    expect(refused).toEqual([
      expect.objectContaining({ ref: own, old: OIDS.c2, new: OIDS.c3, verdict: "refused" }),
    ]);
  });

  it("lets a session created with allowForcePush rewrite its own branch, and only its own", async () => {
    const { session, token, own } = await sandbox({ allowForcePush: true });
    await branchAtC2(token, own);
    const res = await push(token, receivePackBody([{ old: OIDS.c2, new: OIDS.c3, ref: own }], pack("force")));
    expect(res.lines).toEqual(["unpack ok", `ok ${own}`]);
    expect((await refs(token)).get(own)).toBe(OIDS.c3);
    const main = await push(
      token,
      receivePackBody([{ old: OIDS.c2, new: OIDS.c3, ref: "refs/heads/main" }], pack("force")),
    );
    expect(main.lines[1]).toMatch(/^ng refs\/heads\/main /);
    expect(session.branch).toMatch(/^nightshift\//);
  });

  it("refuses a push to main with a reason git prints, and main stays", async () => {
    const { token } = await sandbox();
    const before = (await refs(token)).get("refs/heads/main");
    const res = await push(
      token,
      receivePackBody([{ old: before ?? ZERO_OID, new: OIDS.c1, ref: "refs/heads/main" }], pack("create")),
    );
    expect(res.lines).toEqual([
      "unpack ok",
      expect.stringMatching(/^ng refs\/heads\/main this session may push only to nightshift\//),
    ]);
    expect((await refs(token)).get("refs/heads/main")).toBe(before);
  });

  it("refuses a push to another branch", async () => {
    const { token } = await sandbox();
    const res = await push(
      token,
      receivePackBody([{ old: ZERO_OID, new: OIDS.c1, ref: "refs/heads/feature" }], pack("create")),
    );
    expect(res.lines[1]).toMatch(/^ng refs\/heads\/feature .*not to branch feature/);
    expect((await refs(token)).has("refs/heads/feature")).toBe(false);
  });

  it("refuses a tag", async () => {
    const { token } = await sandbox();
    const res = await push(
      token,
      receivePackBody([{ old: ZERO_OID, new: OIDS.c1, ref: "refs/tags/v9" }], pack("create")),
    );
    expect(res.lines[1]).toMatch(/^ng refs\/tags\/v9 .*not to tag v9/);
    expect((await refs(token)).has("refs/tags/v9")).toBe(false);
  });

  it("refuses deleting the session branch", async () => {
    const { token, own } = await sandbox();
    await branchAtC2(token, own);
    const res = await push(token, receivePackBody([{ old: OIDS.c2, new: ZERO_OID, ref: own }], null));
    expect(res.lines[1]).toMatch(/may not delete its branch/);
    expect((await refs(token)).get(own)).toBe(OIDS.c2);
  });

  it("refuses the whole push when one of its refs is refused (session branch smuggled with main)", async () => {
    const { token, own } = await sandbox();
    const res = await push(
      token,
      receivePackBody(
        [
          { old: ZERO_OID, new: OIDS.c1, ref: own },
          { old: ZERO_OID, new: OIDS.c1, ref: "refs/heads/release" },
        ],
        pack("create"),
      ),
    );
    expect(res.lines).toEqual([
      "unpack ok",
      expect.stringMatching(new RegExp(`^ng ${own} push refused because another ref`)),
      expect.stringMatching(/^ng refs\/heads\/release /),
    ]);
    expect((await refs(token)).has(own)).toBe(false);
  });

  it("refuses a malformed push with 400 in words", async () => {
    const { token } = await sandbox();
    const res = await push(
      token,
      concatBytes([pktLine("this is not a ref update line at all\n"), new TextEncoder().encode("0000")]),
    );
    expect(res.status).toBe(400);
    expect(new TextDecoder().decode(res.raw)).toMatch(/push refused: .*'<old> <new> <ref>'/);
  });

  it("answers git's probe (a lone flush before a large push) as the upstream does", async () => {
    const { token } = await sandbox();
    const res = await push(token, new TextEncoder().encode("0000"));
    expect(res.status).toBe(200);
  });
});
