/**
 * Warm start (issue 13 §7) through the real Worker, D1 and Durable Objects: who may turn it on
 * and rebuild, the triggers (turning it on, a push to the default branch, the pool's alarm), a
 * prebuild session that is snapshotted and stopped once its runtime reports a prebuilt
 * workspace, and new sessions that start warm from a fresh snapshot, cold from a stale one, and
 * cold once (marking it failed) from a snapshot the provider no longer has. The sandbox host is
 * the recording double: it issues snapshot refs and refuses creates from refs it never issued.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { BootstrapResponse, type Session, type WarmStartView } from "@nightshift/protocol";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/client";
import { findWarmSnapshot, putWarmRepository, type WarmSnapshotRow } from "../src/db/repositories/warm";
import { warmSnapshots } from "../src/db/schema";
import { mintBootstrapToken } from "../src/sandbox-auth/bootstrap-token";
import type { SessionAgent } from "../src/session/agent";
import { MetaStore, sqlMetaRows } from "../src/session/meta-store";
import { defaultBranchPush, handleWarmPush } from "../src/warm/push-trigger";
import { warmPoolName } from "../src/warm/warm-pool";
import { githubTenant, INSTALLATION_ID } from "./github-tenant";
import { api, createTenant, type Identity, joinTenant, postJson, sessionStub, waitFor } from "./helpers";
import { SandboxClient, TEST_SANDBOX_SECRET, useIncarnation, waitForLaunch } from "./sandbox-client";
import { deliverSigned, repositoryJson } from "./webhook-fixtures";

const DEMO = { kind: "local", path: "demo" } as const;
const DEMO_KEY = "local:demo";
const HEAD = "c0ffee".padEnd(40, "0");

function put(who: Identity, body: unknown) {
  return api(
    `/api/v1/tenants/${who.tenantId}/warm-start`,
    { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
    who,
  );
}

function rebuild(who: Identity, repo: unknown) {
  return postJson(`/api/v1/tenants/${who.tenantId}/warm-start/rebuild`, { repo }, {}, who);
}

function snapshotRow(tenantId: string, repoKey = DEMO_KEY): Promise<WarmSnapshotRow | null> {
  return findWarmSnapshot(openDatabase(env.DB), tenantId, repoKey, "local");
}

async function setRow(tenantId: string, values: Partial<WarmSnapshotRow>, repoKey = DEMO_KEY) {
  await openDatabase(env.DB)
    .update(warmSnapshots)
    .set(values)
    .where(and(eq(warmSnapshots.tenantId, tenantId), eq(warmSnapshots.repoKey, repoKey)));
}

function pool(tenantId: string, repoKey = DEMO_KEY) {
  return env.WARM_POOL.getByName(warmPoolName(tenantId, repoKey));
}

/** The runtime of a prebuild: connects, says hello, and reports a prebuilt workspace at `head`. */
async function finishPrebuild(
  tenantId: string,
  sessionId: string,
  head = HEAD,
  repoKey = DEMO_KEY,
): Promise<void> {
  const session = { id: sessionId, tenantId } as Session;
  const token = await useIncarnation(session, `prebuild-${sessionId}.jti`);
  const client = await SandboxClient.connect(token);
  client.send({ v: 1, type: "hello", runtimeVersion: "t", lastSeq: 0 });
  await client.waitFor("welcome");
  client.send({ v: 1, type: "ready", workspace: { start: "prebuild", head } });
  await waitFor(
    "the prebuild to be recorded",
    async () => (await snapshotRow(tenantId, repoKey))?.state === "ready",
  );
}

/** A new session on the demo repository, once its sandbox was created: how it started. */
async function startOf(who: Identity): Promise<{ session: Session; start: string | null }> {
  const res = await postJson("/api/v1/sessions", { repo: DEMO, prompt: "hello" }, {}, who);
  expect(res.status).toBe(201);
  const session = (await res.json()) as Session;
  await waitForLaunch(session);
  const start = await runInDurableObject(sessionStub(session.id), (_a: SessionAgent, state) =>
    new MetaStore(sqlMetaRows(state.storage.sql)).get("sandbox.start"),
  );
  return { session, start };
}

describe("warm start API", () => {
  it("admin-only: a member reads warm start but cannot turn it on or ask for a rebuild", async () => {
    const owner = await createTenant("warm-roles");
    const member = await joinTenant(owner, "member");
    expect((await put(member, { repo: DEMO, enabled: true })).status).toBe(403);
    expect((await rebuild(member, DEMO)).status).toBe(403);
    const read = await api(`/api/v1/tenants/${owner.tenantId}/warm-start`, {}, member);
    expect(read.status).toBe(200);
    expect(((await read.json()) as WarmStartView).repositories).toEqual([]);
    expect(await snapshotRow(owner.tenantId)).toBeNull();
  });

  it("a rebuild of a repository without warm start is a 409 that says to turn it on", async () => {
    const owner = await createTenant("warm-off");
    const res = await rebuild(owner, DEMO);
    expect(res.status).toBe(409);
    expect(await res.text()).toMatch(/turn it on first/);
  });

  it("foreign tenant: another tenant sees none of it and cannot rebuild it; its pool refuses a foreign target", async () => {
    const owner = await createTenant("warm-a");
    expect((await put(owner, { repo: DEMO, enabled: true })).status).toBe(200);
    const stranger = await createTenant("warm-b");
    const seen = (await (
      await api(`/api/v1/tenants/${stranger.tenantId}/warm-start`, {}, stranger)
    ).json()) as WarmStartView;
    expect(seen.repositories).toEqual([]);
    expect((await rebuild(stranger, DEMO)).status).toBe(409);
    // The tenant's path names another tenant: not a member, so not found.
    expect((await api(`/api/v1/tenants/${owner.tenantId}/warm-start`, {}, stranger)).status).toBe(404);
    const refused = await pool(owner.tenantId).trigger({
      tenantId: stranger.tenantId,
      repoKey: DEMO_KEY,
      reason: "demand",
    });
    expect(refused).toEqual({ started: false, why: "not found" });
    expect(await snapshotRow(stranger.tenantId)).toBeNull();
  });
});

describe("prebuilds", () => {
  it("turning warm start on starts one prebuild; a trigger while it builds starts none", async () => {
    const owner = await createTenant("warm-on");
    const res = await put(owner, { repo: DEMO, enabled: true });
    expect(res.status).toBe(200);
    const view = (await res.json()) as WarmStartView;
    expect(view.repositories).toMatchObject([
      { repo: DEMO, enabled: true, snapshots: [{ state: "building" }] },
    ]);
    const first = await snapshotRow(owner.tenantId);
    expect(first?.prebuildSessionId).toBeTruthy();
    const again = await rebuild(owner, DEMO);
    expect(await again.json()).toEqual({
      started: false,
      reason: "a prebuild of this repository is already running",
    });
    expect((await snapshotRow(owner.tenantId))?.prebuildSessionId).toBe(first?.prebuildSessionId);
    // The pool's schedule is armed, well before the snapshot would age out.
    const alarm = await runInDurableObject(pool(owner.tenantId), (_p, state) => state.storage.getAlarm());
    expect(alarm).toBeGreaterThan(Date.now() + 12 * 3_600_000);
  });

  it("a ready prebuild is snapshotted, recorded and stopped; a new session then starts warm", async () => {
    const owner = await createTenant("warm-flow");
    await put(owner, { repo: DEMO, enabled: true });
    const prebuildId = (await snapshotRow(owner.tenantId))?.prebuildSessionId ?? "";
    await finishPrebuild(owner.tenantId, prebuildId);
    const row = await snapshotRow(owner.tenantId);
    expect(row).toMatchObject({ state: "ready", commit: HEAD });
    expect(row?.ref).toMatch(/^snap_/);
    await waitFor("the prebuild session to stop", async () => {
      const snap = await sessionStub(prebuildId).snapshot(owner.tenantId);
      return snap.ok && snap.value.status === "stopped";
    });
    // Not a user's session: it is not listed.
    const list = (await (await api("/api/v1/sessions", {}, owner)).json()) as { sessions: Session[] };
    expect(list.sessions.map((s) => s.id)).not.toContain(prebuildId);

    const { session, start } = await startOf(owner);
    expect(start).toBe("warm");
    const shown = await waitFor("the session to show its warm start", async () => {
      const s = (await (await api(`/api/v1/sessions/${session.id}`, {}, owner)).json()) as Session;
      return s.sandbox?.start === "warm" ? s : null;
    });
    expect(shown.sandbox).toMatchObject({ provider: "local", start: "warm" });
  });

  it("a stale snapshot (a push moved the default branch past it) is not used: the session starts cold", async () => {
    const owner = await createTenant("warm-stale");
    await put(owner, { repo: DEMO, enabled: true });
    await finishPrebuild(owner.tenantId, (await snapshotRow(owner.tenantId))?.prebuildSessionId ?? "");
    await setRow(owner.tenantId, { headCommit: "d".repeat(40) });
    expect((await startOf(owner)).start).toBe("cold");
  });

  it("a snapshot the provider no longer has: the session starts cold once and the snapshot is marked failed", async () => {
    const owner = await createTenant("warm-gone");
    await put(owner, { repo: DEMO, enabled: true });
    await finishPrebuild(owner.tenantId, (await snapshotRow(owner.tenantId))?.prebuildSessionId ?? "");
    // The host never issued this one (as after a host wipe): a create from it is a 404.
    await setRow(owner.tenantId, { ref: `snap_${"9".repeat(26)}` });
    const { session, start } = await startOf(owner);
    expect(start).toBe("cold");
    const row = await snapshotRow(owner.tenantId);
    expect(row).toMatchObject({ state: "failed", ref: null });
    expect(row?.reason).toMatch(/could not start from it/);
    const snap = await sessionStub(session.id).snapshot(owner.tenantId);
    expect(snap.ok && snap.value.status).not.toBe("failed");
  });

  it("the pool's alarm rebuilds a snapshot that is due; with warm start off it does nothing", async () => {
    const owner = await createTenant("warm-alarm");
    await put(owner, { repo: DEMO, enabled: true });
    const first = (await snapshotRow(owner.tenantId))?.prebuildSessionId ?? "";
    await finishPrebuild(owner.tenantId, first);
    await setRow(owner.tenantId, { builtAt: new Date(Date.now() - 23 * 3_600_000).toISOString() });
    await runDurableObjectAlarm(pool(owner.tenantId));
    const rebuilt = await snapshotRow(owner.tenantId);
    expect(rebuilt?.state).toBe("building");
    expect(rebuilt?.prebuildSessionId).not.toBe(first);

    expect((await put(owner, { repo: DEMO, enabled: false })).status).toBe(200);
    const alarm = await runInDurableObject(pool(owner.tenantId), (_p, state) => state.storage.getAlarm());
    expect(alarm).toBeNull();
  });

  it("turning warm start off forgets its snapshot: the next session starts cold", async () => {
    const owner = await createTenant("warm-forget");
    await put(owner, { repo: DEMO, enabled: true });
    await finishPrebuild(owner.tenantId, (await snapshotRow(owner.tenantId))?.prebuildSessionId ?? "");
    expect((await startOf(owner)).start).toBe("warm");
    const off = (await (await put(owner, { repo: DEMO, enabled: false })).json()) as WarmStartView;
    expect(off.repositories).toMatchObject([{ repo: DEMO, enabled: false, snapshots: [] }]);
    expect(await snapshotRow(owner.tenantId)).toBeNull();
    expect((await startOf(owner)).start).toBe("cold");
  });
});

describe("push trigger", () => {
  let owner: Identity;
  const WIDGETS_KEY = "github:acme/widgets";

  beforeAll(async () => {
    owner = await githubTenant();
    // On without the API's first prebuild, so the push is what starts one.
    await putWarmRepository(
      openDatabase(env.DB),
      owner.tenantId,
      { repo: { kind: "github", owner: "acme", name: "widgets" }, repoKey: WIDGETS_KEY, enabled: true },
      owner.userId,
      new Date().toISOString(),
    );
  });

  function push(ref: string, after: string) {
    return deliverSigned("push", {
      ref,
      before: "0".repeat(40),
      after,
      deleted: false,
      repository: repositoryJson(9001, "acme", "widgets"),
      installation: { id: INSTALLATION_ID },
    });
  }

  it("only a push that moves the default branch counts: other branches and deletions are ignored", () => {
    const payload = (ref: string, deleted = false) => ({
      ref,
      after: HEAD,
      deleted,
      repository: repositoryJson(9001, "acme", "widgets"),
      installation: { id: INSTALLATION_ID },
    });
    expect(defaultBranchPush(payload("refs/heads/feature"))).toEqual({
      push: null,
      why: "a push to refs/heads/feature, not the default branch",
    });
    expect(defaultBranchPush(payload("refs/heads/main", true)).push).toBeNull();
    expect(defaultBranchPush(payload("refs/tags/main")).push).toBeNull();
    expect(defaultBranchPush(payload("refs/heads/main")).push).toEqual({
      installationId: INSTALLATION_ID,
      repo: { kind: "github", owner: "acme", name: "widgets" },
      head: HEAD,
    });
  });

  it("a push to the default branch schedules one prebuild; the same head again schedules none", async () => {
    const head = "f".repeat(40);
    expect((await push("refs/heads/feature", "e".repeat(40))).status).toBe(202);
    expect((await push("refs/heads/main", head)).status).toBe(202);
    const first = await waitFor("the push's prebuild", async () => {
      const r = await snapshotRow(owner.tenantId, WIDGETS_KEY);
      return r?.headCommit === head && r.state === "building" ? r : null;
    });
    const session = first.prebuildSessionId ?? "";
    const lines: string[] = [];
    const log = { info: (line: string) => lines.push(line) };
    const again = {
      installationId: INSTALLATION_ID,
      repo: { kind: "github", owner: "acme", name: "widgets" },
      head,
    } as const;
    // Delivered again while it builds, and once it is built: no second prebuild either time.
    await handleWarmPush(env, again, log);
    await finishPrebuild(owner.tenantId, session, head, WIDGETS_KEY);
    await handleWarmPush(env, again, log);
    expect(lines).toEqual([
      `push to the default branch of ${WIDGETS_KEY}: no prebuild (a prebuild of this repository is already running)`,
      `push to the default branch of ${WIDGETS_KEY}: no prebuild (the snapshot is already built at ${head.slice(0, 12)})`,
    ]);
    expect(await snapshotRow(owner.tenantId, WIDGETS_KEY)).toMatchObject({
      state: "ready",
      commit: head,
      prebuildSessionId: session,
    });
  });
});

describe("what a prebuild may see", () => {
  it("admin-only secret baked into a snapshot: a prebuild gets the repository's secrets but never admin-only ones", async () => {
    const owner = await createTenant("warm-secrets");
    const secret = (name: string, body: unknown) =>
      api(
        `/api/v1/tenants/${owner.tenantId}/secrets/${name}`,
        { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
        owner,
      );
    expect((await secret("DEPLOY_KEY", { value: "admin-only-deploy-key-1", adminOnly: true })).status).toBe(
      201,
    );
    expect((await secret("NPM_TOKEN", { value: "npm-token-for-installs-1" })).status).toBe(201);
    await put(owner, { repo: DEMO, enabled: true });
    const sessionId = (await snapshotRow(owner.tenantId))?.prebuildSessionId ?? "";
    const incarnation = `prebuild-secrets.${crypto.randomUUID()}`;
    await useIncarnation({ id: sessionId, tenantId: owner.tenantId } as Session, incarnation);
    const { token } = await mintBootstrapToken(
      TEST_SANDBOX_SECRET,
      { sessionId, tenantId: owner.tenantId, incarnation, jti: crypto.randomUUID() },
      Date.now(),
    );
    const res = await api(
      "/sandbox/bootstrap",
      { method: "POST", headers: { authorization: `Bearer ${token}` } },
      null,
    );
    expect(res.status).toBe(200);
    const { env: runtimeEnv } = BootstrapResponse.parse(await res.json());
    expect(runtimeEnv).toMatchObject({ NIGHTSHIFT_PREBUILD: "1", NPM_TOKEN: "npm-token-for-installs-1" });
    expect(runtimeEnv.DEPLOY_KEY).toBeUndefined();
    expect(JSON.stringify(runtimeEnv)).not.toContain("admin-only-deploy-key-1");
  });
});
