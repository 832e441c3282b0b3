/**
 * The cron's Daytona snapshot sweep over the real D1 (sessions created through the API, a warm
 * start row) and the testkit's Daytona double: snapshots whose owner is gone are deleted, the
 * rest — live sessions', warm snapshots in use, young ones, other deployments', names Nightshift
 * did not make — are kept; and without a deployment name nothing of unknown ownership is touched.
 */
import { env } from "cloudflare:workers";
import { ulid } from "ulid";
import { describe, expect, it } from "vitest";
import { createDaytonaApi } from "../../../../testkit/src/daytona/daytona-api";
import { createSession } from "../../../test/helpers";
import { openDatabase } from "../../db/client";
import { updateSession } from "../../db/repositories/sessions";
import { markBuilding, markReady } from "../../db/repositories/warm";
import type { Bindings } from "../../env";
import { deploymentTag, parseSnapshotName, snapshotName } from "./daytona-snapshots";
import { sweepDaytonaSnapshotOrphans } from "./daytona-sweep";

const KEY = "dtn_snapshot_sweep_key";
const HOUR = 3_600_000;

function daytonaEnv(deployment?: string): Bindings {
  return {
    ...(env as unknown as Bindings),
    SANDBOX_PROVIDER: "daytona",
    DAYTONA_API_URL: "http://127.0.0.1:3986/api",
    DAYTONA_API_KEY: KEY,
    DAYTONA_SNAPSHOT: "nightshift-sandbox",
    ...(deployment ? { NIGHTSHIFT_DEPLOYMENT: deployment } : {}),
  };
}

async function owned(purpose: "warm" | "resume", sessionId: string, deployment?: string) {
  return snapshotName(purpose, {
    deploymentTag: await deploymentTag(deployment),
    sessionId,
    sandboxId: "sb-1",
  });
}

/** A live session, an ended one, a session id nobody has, and a warm row that uses one snapshot. */
async function world(deployment?: string) {
  const db = openDatabase(env.DB);
  const live = await createSession("Keep my snapshot");
  const ended = await createSession("Done with it");
  await updateSession(db, ended.tenantId, ended.id, { status: "stopped" }, new Date().toISOString());
  const names = {
    live: await owned("resume", live.id, deployment),
    ended: await owned("resume", ended.id, deployment),
    unknown: await owned("resume", ulid().toLowerCase(), deployment),
    warmInUse: await owned("warm", ulid().toLowerCase(), deployment),
    warmUnused: await owned("warm", ulid().toLowerCase(), deployment),
    otherDeployment: await owned("resume", ended.id, "someone-else"),
    legacy: `nightshift-resume-sb-123-${Date.now().toString(36)}`,
    users: "my-own-image",
  };
  const prebuild = ulid().toLowerCase();
  const target = { repoKey: `github:octo/${prebuild}`, provider: "daytona", sessionId: prebuild };
  const now = new Date().toISOString();
  await markBuilding(db, live.tenantId, { ...target, head: null }, now);
  await markReady(db, live.tenantId, target, { ref: names.warmInUse, commit: "a".repeat(40) }, now);
  const api = createDaytonaApi({ apiKey: KEY, runtime: "none", snapshots: Object.values(names) });
  const fetchDouble = ((input: Request | string | URL, init?: RequestInit) =>
    api.fetch(new Request(input, init))) as typeof fetch;
  return { api, names, fetchDouble };
}

describe("sweepDaytonaSnapshotOrphans", () => {
  it("does nothing unless the deployment uses Daytona", async () => {
    expect(await sweepDaytonaSnapshotOrphans(env as unknown as Bindings, Date.now())).toBeNull();
  });

  it("names a snapshot for its purpose, deployment and session, and reads them back", async () => {
    const session = ulid().toLowerCase();
    const name = await owned("resume", session, "prod");
    expect(parseSnapshotName(name)).toEqual({
      purpose: "resume",
      deploymentTag: await deploymentTag("prod"),
      sessionId: session,
    });
    expect(await deploymentTag("prod")).toMatch(/^[0-9a-f]{8}$/);
    expect(await deploymentTag(undefined)).toBe("x");
    expect(parseSnapshotName("nightshift-resume-sb-123-abc")).toBeNull();
    expect(parseSnapshotName(`${name}-and-more`)).toBeNull();
  });

  it("deletes an ended session's, an unknown session's and an unused warm snapshot, and keeps the rest", async () => {
    const { api, names, fetchDouble } = await world("prod");
    const report = await sweepDaytonaSnapshotOrphans(daytonaEnv("prod"), Date.now() + HOUR, fetchDouble);
    expect(report?.errors).toBe(0);
    expect(Object.fromEntries((report?.deleted ?? []).map((d) => [d.name, d.reason]))).toEqual({
      [names.ended]: "session ended",
      [names.unknown]: "session unknown",
      [names.warmUnused]: "warm snapshot unused",
    });
    for (const kept of [names.live, names.warmInUse, names.otherDeployment, names.legacy, names.users])
      expect(api.snapshots.find(kept), kept).not.toBeNull();
    for (const gone of [names.ended, names.unknown, names.warmUnused])
      expect(api.snapshots.find(gone), gone).toBeNull();
  });

  it("keeps every snapshot younger than the grace period, whatever its owner", async () => {
    const { names, fetchDouble } = await world("prod");
    const report = await sweepDaytonaSnapshotOrphans(daytonaEnv("prod"), Date.now(), fetchDouble);
    expect(report?.deleted).toEqual([]);
    // Five carry this deployment's tag: live, ended, unknown and the two warm ones.
    expect(report?.checked).toBe(5);
    expect(names.users.startsWith("nightshift-")).toBe(false);
  });

  it("without a deployment name, deletes only ended sessions' snapshots: an unknown owner may be another deployment's", async () => {
    const { names, fetchDouble } = await world(undefined);
    const report = await sweepDaytonaSnapshotOrphans(daytonaEnv(undefined), Date.now() + HOUR, fetchDouble);
    expect(report?.deleted).toEqual([{ name: names.ended, reason: "session ended" }]);
  });

  it("says why in words, without the key, when Daytona refuses", async () => {
    const api = createDaytonaApi({ apiKey: "another-key", runtime: "none" });
    const fetchDouble = ((input: Request | string | URL, init?: RequestInit) =>
      api.fetch(new Request(input, init))) as typeof fetch;
    const error = await sweepDaytonaSnapshotOrphans(daytonaEnv("prod"), Date.now(), fetchDouble).catch(
      (e: unknown) => e as Error,
    );
    expect(String(error)).toMatch(/refused the API key when asked to list snapshots/);
    expect(String(error)).not.toContain(KEY);
  });
});
