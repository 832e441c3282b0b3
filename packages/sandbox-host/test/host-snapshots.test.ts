/**
 * Warm-start snapshots on the local host: a live sandbox's workdir is copied into the store (its
 * state dir never), a new sandbox of the same tenant and repository starts with it, and a ref used
 * by another tenant or for another repository is refused exactly like an unknown one.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ErrorBody, HostSnapshot, SandboxInfo } from "@nightshift/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { BASE_ENV, demoRepoUrl, type Harness, startHarness } from "./host-harness";

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.stop();
  harness = null;
});

async function start(options: Parameters<typeof startHarness>[0]): Promise<Harness> {
  harness = await startHarness(options);
  return harness;
}

interface CreateOptions {
  tenantId?: string;
  repo?: string;
  fromSnapshot?: string;
  sessionId?: string;
}

function createBody(options: CreateOptions) {
  const repo = options.repo ?? "demo";
  return {
    sessionId: options.sessionId ?? `ses_${Math.random().toString(36).slice(2)}`,
    incarnation: `inc-${Math.random().toString(36).slice(2)}`,
    repo: { kind: "local", path: repo },
    env: {
      ...BASE_ENV,
      NIGHTSHIFT_REPO_URL: demoRepoUrl(BASE_ENV.NIGHTSHIFT_CONTROL_PLANE_URL).replace("demo", repo),
    },
    ...(options.tenantId ? { tenantId: options.tenantId } : {}),
    ...(options.fromSnapshot ? { fromSnapshot: options.fromSnapshot } : {}),
  };
}

async function create(h: Harness, options: CreateOptions): Promise<Response> {
  return h.call("POST", "/v1/sandboxes", createBody(options));
}

async function createOk(h: Harness, options: CreateOptions): Promise<SandboxInfo> {
  const res = await create(h, options);
  expect(res.status).toBe(201);
  return SandboxInfo.parse(await res.json());
}

async function snapshot(h: Harness, id: string): Promise<HostSnapshot> {
  const res = await h.call("POST", `/v1/sandboxes/${id}/snapshots?nonce=${crypto.randomUUID()}`, {
    purpose: "warm",
  });
  expect(res.status).toBe(201);
  return HostSnapshot.parse(await res.json());
}

/** A prebuilt workdir (a checkout and the setup hook's output) and a secret in the state dir. */
function plantWorkspace(h: Harness, id: string): void {
  const work = join(h.dataDir, id, "work");
  mkdirSync(join(work, ".git"), { recursive: true });
  writeFileSync(join(work, ".git", "nightshift-warm.json"), '{"commit":"abc"}');
  mkdirSync(join(work, "node_modules", "left-pad"), { recursive: true });
  writeFileSync(join(work, "node_modules", "left-pad", "index.js"), "module.exports = 1;\n");
  writeFileSync(join(h.dataDir, id, "state", "runtime-secret.txt"), "sandbox-token-abcdefghijklmnop");
}

describe("sandbox host snapshots", () => {
  it("seeds a new sandbox's workdir from a snapshot of the same tenant and repository, never the state dir", async () => {
    const h = await start({ isolation: "process" });
    const source = await createOk(h, { tenantId: "tenant-a" });
    plantWorkspace(h, source.id);
    const snap = await snapshot(h, source.id);
    expect(snap.bytes).toBeGreaterThan(0);
    expect(existsSync(join(h.dataDir, "snapshots", snap.ref, "work", "node_modules", "left-pad"))).toBe(true);
    expect(existsSync(join(h.dataDir, "snapshots", snap.ref, "work", "runtime-secret.txt"))).toBe(false);

    const warm = await createOk(h, { tenantId: "tenant-a", fromSnapshot: snap.ref });
    const work = join(h.dataDir, warm.id, "work");
    expect(readFileSync(join(work, "node_modules", "left-pad", "index.js"), "utf8")).toContain(
      "module.exports",
    );
    expect(readFileSync(join(work, ".git", "nightshift-warm.json"), "utf8")).toContain("abc");
    expect(existsSync(join(h.dataDir, warm.id, "state", "runtime-secret.txt"))).toBe(false);
  });

  it("cross-tenant restore: another tenant's snapshot ref is refused as unknown and starts nothing", async () => {
    const h = await start({ isolation: "process" });
    const source = await createOk(h, { tenantId: "tenant-a" });
    plantWorkspace(h, source.id);
    const snap = await snapshot(h, source.id);
    const before = h.host.manager.runningCount;

    const foreign = await create(h, { tenantId: "tenant-b", fromSnapshot: snap.ref });
    expect(foreign.status).toBe(404);
    const error = ErrorBody.parse(await foreign.json()).error;
    expect(error.message).toBe("no such snapshot for this tenant and repository");
    expect(h.host.manager.runningCount).toBe(before);

    // The same answer as for a ref that never existed: nothing tells the caller it was real.
    const unknown = await create(h, {
      tenantId: "tenant-b",
      fromSnapshot: "snap_00000000000000000000000000",
    });
    expect(unknown.status).toBe(404);
    expect(ErrorBody.parse(await unknown.json()).error.message).toBe(error.message);
  });

  it("cross-repository restore: the same tenant's snapshot of another repository is refused", async () => {
    const h = await start({ isolation: "process" });
    const source = await createOk(h, { tenantId: "tenant-a", repo: "demo" });
    const snap = await snapshot(h, source.id);
    const other = await create(h, { tenantId: "tenant-a", repo: "other", fromSnapshot: snap.ref });
    expect(other.status).toBe(404);
  });

  it("a restore without the tenant it is bound to is a 400", async () => {
    const h = await start({ isolation: "process" });
    const res = await create(h, { fromSnapshot: "snap_00000000000000000000000000" });
    expect(res.status).toBe(400);
    expect(ErrorBody.parse(await res.json()).error.message).toMatch(/tenantId/);
  });

  it("will not snapshot a sandbox created without a tenant (it would belong to no one)", async () => {
    const h = await start({ isolation: "process" });
    const source = await createOk(h, {});
    const res = await h.call("POST", `/v1/sandboxes/${source.id}/snapshots`, { purpose: "warm" });
    expect(res.status).toBe(409);
  });

  it("deleting a snapshot forgets it, and deleting it again is not an error", async () => {
    const h = await start({ isolation: "process" });
    const source = await createOk(h, { tenantId: "tenant-a" });
    const snap = await snapshot(h, source.id);
    expect((await h.call("DELETE", `/v1/snapshots/${snap.ref}?nonce=${crypto.randomUUID()}`)).status).toBe(
      204,
    );
    expect((await h.call("DELETE", `/v1/snapshots/${snap.ref}?nonce=${crypto.randomUUID()}`)).status).toBe(
      204,
    );
    expect((await create(h, { tenantId: "tenant-a", fromSnapshot: snap.ref })).status).toBe(404);
  });

  it("keeps two snapshots per repository and removes the oldest beyond that", async () => {
    const h = await start({ isolation: "process" });
    const source = await createOk(h, { tenantId: "tenant-a" });
    const refs: string[] = [];
    for (let i = 0; i < 3; i++) refs.push((await snapshot(h, source.id)).ref);
    expect(existsSync(join(h.dataDir, "snapshots", refs[0]!))).toBe(false);
    expect(existsSync(join(h.dataDir, "snapshots", refs[1]!))).toBe(true);
    expect(existsSync(join(h.dataDir, "snapshots", refs[2]!))).toBe(true);
  });

  it("refuses a workdir larger than the store as too large, leaving nothing behind", async () => {
    const h = await start({ isolation: "process", snapshotMaxBytes: 1024 });
    const source = await createOk(h, { tenantId: "tenant-a" });
    writeFileSync(join(h.dataDir, source.id, "work", "big.bin"), Buffer.alloc(64 * 1024));
    const res = await h.call("POST", `/v1/sandboxes/${source.id}/snapshots`, { purpose: "warm" });
    expect(res.status).toBe(413);
    const left = existsSync(join(h.dataDir, "snapshots")) ? readdirSync(join(h.dataDir, "snapshots")) : [];
    expect(left).toEqual([]);
  });
});
