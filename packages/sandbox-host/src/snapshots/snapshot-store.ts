/**
 * The host's snapshot store: copies of sandboxes' workdirs (the checkout and whatever the setup
 * hook built there), so a later sandbox of the same tenant and repository starts from one instead
 * of cloning. Only the workdir is copied: the runtime's state dir (its event buffer, the agent's
 * HOME with the CLI's files) and the host's own files (the mirror, the egress socket, the log)
 * stay out. Each snapshot is bound to the tenant and repository of the sandbox it was taken from,
 * and a restore for any other pair is answered exactly like an unknown reference. The store is
 * size-capped: the oldest snapshots go first, and only a few per repository are kept.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { type CreateSandboxRequest, type HostSnapshot, SnapshotRef } from "@nightshift/protocol";
import { ulid } from "ulid";
import { z } from "zod";
import { HostError } from "../http/host-error";
import type { HostLogger } from "../log";

const run = promisify(execFile);

/** Whose snapshot it is: a restore must name the same pair. */
export interface SnapshotOwner {
  tenantId: string;
  repoKey: string;
}

const SnapshotMeta = z.object({
  ref: SnapshotRef,
  tenantId: z.string().min(1),
  repoKey: z.string().min(1),
  purpose: z.enum(["warm", "resume"]),
  bytes: z.number().int().nonnegative(),
  createdAt: z.string(),
});
type SnapshotMeta = z.infer<typeof SnapshotMeta>;

export interface SnapshotStoreOptions {
  root: string;
  /** The store's total size; the oldest snapshots are removed to stay under it. */
  maxBytes: number;
  /** Snapshots kept per (tenant, repository, purpose); older ones are removed first. */
  keepPerRepo: number;
  log: HostLogger;
}

const UNKNOWN = "no such snapshot for this tenant and repository";

/** Copies `from`'s contents into the existing directory `to`, keeping modes, owners and links. */
async function copyTree(from: string, to: string): Promise<void> {
  await run("cp", ["-a", "--reflink=auto", "--", `${from}/.`, to], { maxBuffer: 1024 * 1024 });
}

async function sizeOf(path: string): Promise<number> {
  const { stdout } = await run("du", ["-s", "-b", "--", path]);
  return Number.parseInt(stdout.split(/\s/)[0] ?? "0", 10) || 0;
}

export class SnapshotStore {
  constructor(private readonly options: SnapshotStoreOptions) {}

  /** Copies `workdir` into a new snapshot bound to `owner`; prunes the store afterwards. */
  async take(workdir: string, owner: SnapshotOwner, purpose: SnapshotMeta["purpose"]): Promise<HostSnapshot> {
    // Measured before copying, so an oversized workdir never fills the disk; again after, as the
    // sandbox may still be writing.
    this.checkSize(await sizeOf(workdir));
    const ref = `snap_${ulid().toLowerCase()}`;
    const partial = join(this.options.root, `${ref}.partial`);
    mkdirSync(join(partial, "work"), { recursive: true, mode: 0o700 });
    try {
      await copyTree(workdir, join(partial, "work"));
      const bytes = await sizeOf(join(partial, "work"));
      this.checkSize(bytes);
      const meta: SnapshotMeta = { ref, ...owner, purpose, bytes, createdAt: new Date().toISOString() };
      writeFileSync(join(partial, "meta.json"), JSON.stringify(meta));
      // Complete or absent: a reader never sees a half-copied snapshot under its ref.
      renameSync(partial, this.dirOf(ref));
      this.options.log.info("snapshot.taken", { ref, purpose, bytes, repo: owner.repoKey });
      this.prune(meta);
      return { ref, bytes, createdAt: meta.createdAt };
    } catch (err) {
      rmSync(partial, { recursive: true, force: true });
      throw err;
    }
  }

  /** The snapshot, when it exists and belongs to `owner`; otherwise the same 404 either way. */
  find(ref: string, owner: SnapshotOwner): SnapshotMeta {
    const meta = SnapshotRef.safeParse(ref).success ? this.readMeta(ref) : null;
    if (!meta || meta.tenantId !== owner.tenantId || meta.repoKey !== owner.repoKey)
      throw new HostError("not_found", UNKNOWN);
    return meta;
  }

  /** Seeds the (empty) directory `into` from a snapshot `owner` may use. */
  async restore(ref: string, owner: SnapshotOwner, into: string): Promise<void> {
    this.find(ref, owner);
    try {
      await copyTree(join(this.dirOf(ref), "work"), into);
    } catch (err) {
      // Pruned between the check and the copy, most likely: the caller starts cold.
      if (!existsSync(this.dirOf(ref))) throw new HostError("not_found", UNKNOWN);
      throw err;
    }
  }

  /**
   * Whom a new sandbox's snapshots will belong to (null: created without a tenant). With
   * `fromSnapshot`, the snapshot must exist and be this tenant's and repository's: 400 without a
   * tenant, else the same 404 as for a ref that never existed.
   */
  ownerFor(request: Pick<CreateSandboxRequest, "tenantId" | "repo" | "fromSnapshot">): SnapshotOwner | null {
    const owner = request.tenantId ? { tenantId: request.tenantId, repoKey: repoKeyOf(request.repo) } : null;
    if (!request.fromSnapshot) return owner;
    if (!owner)
      throw new HostError("invalid_request", "fromSnapshot needs the tenantId the snapshot is bound to");
    this.find(request.fromSnapshot, owner);
    return owner;
  }

  /** Seeds a new sandbox's workdir from the request's snapshot, if any; a failure removes the sandbox's directory. */
  async seed(
    request: Pick<CreateSandboxRequest, "fromSnapshot">,
    owner: SnapshotOwner | null,
    workdir: string,
    sandboxDir: string,
  ): Promise<void> {
    if (!request.fromSnapshot || !owner) return;
    try {
      await this.restore(request.fromSnapshot, owner, workdir);
    } catch (err) {
      rmSync(sandboxDir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Removes a snapshot; false when it was not there (not an error for the caller). */
  remove(ref: string): boolean {
    if (!SnapshotRef.safeParse(ref).success || !existsSync(this.dirOf(ref))) return false;
    rmSync(this.dirOf(ref), { recursive: true, force: true });
    this.options.log.info("snapshot.removed", { ref });
    return true;
  }

  private checkSize(bytes: number): void {
    if (bytes <= this.options.maxBytes) return;
    throw new HostError(
      "payload_too_large",
      `the workdir is ${bytes} bytes, more than the host's snapshot store holds (${this.options.maxBytes})`,
    );
  }

  private dirOf(ref: string): string {
    return join(this.options.root, ref);
  }

  private readMeta(ref: string): SnapshotMeta | null {
    try {
      const parsed = SnapshotMeta.safeParse(
        JSON.parse(readFileSync(join(this.dirOf(ref), "meta.json"), "utf8")),
      );
      return parsed.success && parsed.data.ref === ref ? parsed.data : null;
    } catch {
      return null;
    }
  }

  private all(): SnapshotMeta[] {
    if (!existsSync(this.options.root)) return [];
    return readdirSync(this.options.root)
      .filter((name) => SnapshotRef.safeParse(name).success)
      .map((name) => this.readMeta(name))
      .filter((meta): meta is SnapshotMeta => meta !== null)
      .sort((a, b) => a.ref.localeCompare(b.ref));
  }

  /** Oldest first: beyond keepPerRepo for the new one's repository, then beyond maxBytes overall. */
  private prune(newest: SnapshotMeta): void {
    const sameRepo = this.all().filter(
      (m) => m.tenantId === newest.tenantId && m.repoKey === newest.repoKey && m.purpose === newest.purpose,
    );
    for (const old of sameRepo.slice(0, Math.max(0, sameRepo.length - this.options.keepPerRepo)))
      this.remove(old.ref);
    const rest = this.all();
    let total = rest.reduce((sum, m) => sum + m.bytes, 0);
    for (const old of rest) {
      if (total <= this.options.maxBytes || old.ref === newest.ref) continue;
      this.remove(old.ref);
      total -= old.bytes;
    }
  }
}

/** The key a snapshot's repository is bound by: a GitHub repository by owner/name, a local one by path. */
export function repoKeyOf(
  repo: { kind: "github"; owner: string; name: string } | { kind: "local"; path: string },
): string {
  return repo.kind === "github"
    ? `github/${repo.owner.toLowerCase()}/${repo.name.toLowerCase()}`
    : `local/${repo.path}`;
}
