/**
 * The cron's Modal snapshot sweep over the real D1 (sessions created through the API, a warm start
 * row) and the testkit's double of our Modal app, snapshots taken through the provider as a session
 * takes them: those whose owner is gone are deleted, the rest — live sessions', warm snapshots in
 * use, young ones, other deployments', names of sandboxes without a session id — are kept; and
 * without a deployment name nothing of unknown ownership is touched. The rules are Daytona's
 * (../snapshot-sweep.ts), so a deployment behaves alike on both.
 */
import { env } from "cloudflare:workers";
import { ulid } from "ulid";
import { describe, expect, it } from "vitest";
import { createModalAppApi } from "../../../../testkit/src/modal/modal-app-api";
import { createSession } from "../../../test/helpers";
import { openDatabase } from "../../db/client";
import { updateSession } from "../../db/repositories/sessions";
import { markBuilding, markReady } from "../../db/repositories/warm";
import type { Bindings } from "../../env";
import { SNAPSHOT_SWEEP_GRACE_MS } from "../snapshot-sweep";
import { ModalSandboxProvider } from "./modal-provider";
import { sweepModalSnapshotOrphans } from "./modal-sweep";

const TOKEN = { id: "wk-snapshot-sweep", secret: "ws-snapshot-sweep-secret" };
const APP_URL = "https://ws--nightshift-sandboxes.modal.run";
const HOUR = 3_600_000;

function modalEnv(deployment?: string): Bindings {
  return {
    ...(env as unknown as Bindings),
    SANDBOX_PROVIDER: "modal",
    MODAL_APP_URL: APP_URL,
    MODAL_PROXY_TOKEN_ID: TOKEN.id,
    MODAL_PROXY_TOKEN_SECRET: TOKEN.secret,
    ...(deployment ? { NIGHTSHIFT_DEPLOYMENT: deployment } : {}),
  };
}

/** A live session, an ended one, a session id nobody has, and a warm row that uses one snapshot. */
async function world(deployment?: string) {
  const api = createModalAppApi({ proxyToken: TOKEN });
  const fetchDouble = ((input: Request | string | URL, init?: RequestInit) =>
    api.fetch(new Request(input, init))) as typeof fetch;
  const providerOf = (name?: string) =>
    new ModalSandboxProvider({
      appUrl: APP_URL,
      tokenId: TOKEN.id,
      tokenSecret: TOKEN.secret,
      ...(name ? { deployment: name } : {}),
      fetch: fetchDouble,
    });
  const ours = providerOf(deployment);
  const snapshotOf = async (
    purpose: "warm" | "resume",
    session: string,
    provider: ModalSandboxProvider = ours,
  ) => {
    const incarnation = ulid().toLowerCase();
    const { providerId } = await provider.create({
      tenantId: "ten1",
      sessionId: session,
      incarnation,
      repo: { kind: "github", owner: "octo", name: "widgets" },
      bootstrap: {
        NIGHTSHIFT_CONTROL_PLANE_URL: "https://nightshift.example.com",
        NIGHTSHIFT_SESSION_ID: session,
        NIGHTSHIFT_BOOTSTRAP_TOKEN: "bootstrap-token-for-the-snapshot-sweep",
      },
      labels: {
        "nightshift.tenant": "ten1",
        "nightshift.session": session,
        "nightshift.incarnation": incarnation,
      },
      idleTimeoutSeconds: 1800,
    });
    return (await provider.snapshot(providerId, purpose)).ref;
  };
  const db = openDatabase(env.DB);
  const live = await createSession("Keep my snapshot");
  const ended = await createSession("Done with it");
  await updateSession(db, ended.tenantId, ended.id, { status: "stopped" }, new Date().toISOString());
  const refs = {
    live: await snapshotOf("resume", live.id),
    ended: await snapshotOf("resume", ended.id),
    unknown: await snapshotOf("resume", ulid().toLowerCase()),
    warmInUse: await snapshotOf("warm", ulid().toLowerCase()),
    warmUnused: await snapshotOf("warm", ulid().toLowerCase()),
    otherDeployment: await snapshotOf("resume", ended.id, providerOf("someone-else")),
    notASession: await snapshotOf("resume", "hand-made-session"),
  };
  const prebuild = ulid().toLowerCase();
  const target = { repoKey: `github:octo/${prebuild}`, provider: "modal", sessionId: prebuild };
  const now = new Date().toISOString();
  await markBuilding(db, live.tenantId, { ...target, head: null }, now);
  await markReady(db, live.tenantId, target, { ref: refs.warmInUse, commit: "b".repeat(40) }, now);
  const names = new Map(api.snapshotRecords().map((r) => [r.id, r.name]));
  const nameOf = (ref: string) => names.get(ref) ?? "";
  const kept = (ref: string) => api.snapshotRecords().some((r) => r.id === ref);
  return { api, refs, fetchDouble, nameOf, kept };
}

describe("sweepModalSnapshotOrphans", () => {
  it("does nothing unless the deployment uses Modal", async () => {
    expect(await sweepModalSnapshotOrphans(env as unknown as Bindings, Date.now())).toBeNull();
  });

  it("deletes an ended session's, an unknown session's and an unused warm snapshot, and keeps the rest", async () => {
    const { refs, fetchDouble, nameOf, kept } = await world("prod");
    const report = await sweepModalSnapshotOrphans(modalEnv("prod"), Date.now() + HOUR, fetchDouble);
    expect(report?.errors).toBe(0);
    expect(Object.fromEntries((report?.deleted ?? []).map((d) => [d.name, d.reason]))).toEqual({
      [nameOf(refs.ended)]: "session ended",
      [nameOf(refs.unknown)]: "session unknown",
      [nameOf(refs.warmUnused)]: "warm snapshot unused",
    });
    for (const ref of [refs.live, refs.warmInUse, refs.otherDeployment, refs.notASession])
      expect(kept(ref), ref).toBe(true);
    for (const ref of [refs.ended, refs.unknown, refs.warmUnused]) expect(kept(ref), ref).toBe(false);
  });

  it("keeps every snapshot younger than the grace period, whatever its owner", async () => {
    const { api, refs, fetchDouble } = await world("prod");
    const report = await sweepModalSnapshotOrphans(modalEnv("prod"), Date.now(), fetchDouble);
    expect(report?.deleted).toEqual([]);
    // Five carry this deployment's tag: live, ended, unknown and the two warm ones.
    expect(report?.checked).toBe(5);
    // Backdated past the grace, the ended session's goes; the others stay young.
    api.setSnapshotCreatedAt(refs.ended, Date.now() - SNAPSHOT_SWEEP_GRACE_MS - 1_000);
    const later = await sweepModalSnapshotOrphans(modalEnv("prod"), Date.now(), fetchDouble);
    expect(later?.deleted.map((d) => d.reason)).toEqual(["session ended"]);
  });

  it("without a deployment name, deletes only ended sessions' snapshots: an unknown owner may be another deployment's", async () => {
    const { refs, fetchDouble, nameOf } = await world(undefined);
    const report = await sweepModalSnapshotOrphans(modalEnv(undefined), Date.now() + HOUR, fetchDouble);
    expect(report?.deleted).toEqual([{ name: nameOf(refs.ended), reason: "session ended" }]);
  });

  it("counts a failed deletion for the next run and says why in words, without the token, when the app refuses", async () => {
    const { api, refs, fetchDouble, kept } = await world("prod");
    api.injectFault({ status: 503, calls: 1, only: "delete-snapshot" });
    const report = await sweepModalSnapshotOrphans(modalEnv("prod"), Date.now() + HOUR, fetchDouble);
    expect(report?.errors).toBe(1);
    expect(report?.deleted).toHaveLength(2);
    expect([refs.ended, refs.unknown, refs.warmUnused].filter(kept)).toHaveLength(1);
    const refused = createModalAppApi({ proxyToken: { id: TOKEN.id, secret: "another-secret" } });
    const error = await sweepModalSnapshotOrphans(modalEnv("prod"), Date.now(), ((
      input: Request | string | URL,
      init?: RequestInit,
    ) => refused.fetch(new Request(input, init))) as typeof fetch).catch((e: unknown) => e as Error);
    expect(String(error)).toMatch(/proxy/i);
    expect(String(error)).not.toContain(TOKEN.secret);
  });
});
