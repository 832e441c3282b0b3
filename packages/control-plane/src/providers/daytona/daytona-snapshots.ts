/**
 * Daytona snapshots of a sandbox (v0.190.0): `POST /sandbox/{id}/snapshot {name}` starts a job
 * (the sandbox shows `snapshotting`), and the snapshot is usable once `GET /snapshots/{name}` says
 * `active`; a later sandbox is created with `snapshot: <name>`. The reference Nightshift keeps is
 * the snapshot's name (unique in the organization: purpose, sandbox id and time in it); deleting
 * resolves it to its id, as Daytona deletes by id. A snapshot that fails or does not become active
 * in time is deleted (best effort) and the failure classified, never left half-made on purpose.
 */
import { SandboxProviderError, type SandboxSnapshot } from "../provider";
import type { DaytonaClient } from "./daytona-client";

/** How long a snapshot may take to become active (default 90 s; a DO alarm waits on it). */
export const SNAPSHOT_TIMEOUT_MS = 90_000;

/** The prefix of every snapshot Nightshift names (a sweep can tell its own from a user's). */
export const SNAPSHOT_NAME_PREFIX = "nightshift-";

export interface SnapshotTiming {
  timeoutMs: number;
  /** First pause between polls; it doubles up to `maxPollMs`. */
  firstPollMs: number;
  maxPollMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A name Daytona accepts and Nightshift recognises: `nightshift-<purpose>-<sandbox id>-<time>`. */
export function snapshotName(purpose: "warm" | "resume", sandboxId: string, now = Date.now()): string {
  const id = sandboxId.replace(/[^A-Za-z0-9-]/g, "").slice(0, 64);
  return `${SNAPSHOT_NAME_PREFIX}${purpose}-${id}-${now.toString(36)}`;
}

export async function takeDaytonaSnapshot(
  client: DaytonaClient,
  sandboxId: string,
  purpose: "warm" | "resume",
  timing: SnapshotTiming,
): Promise<SandboxSnapshot> {
  const name = snapshotName(purpose, sandboxId);
  await client.snapshotSandbox(sandboxId, name);
  const deadline = Date.now() + timing.timeoutMs;
  let pause = timing.firstPollMs;
  for (;;) {
    // Until Daytona's job registers it, the snapshot may not be listed at all: keep asking.
    const snapshot = await client.getSnapshot(name);
    if (snapshot?.state === "active") return { ref: name };
    if (snapshot && (snapshot.state === "error" || snapshot.state === "build_failed")) {
      await forget(client, name);
      const reason = snapshot.errorReason ? `: ${snapshot.errorReason}` : "";
      throw new SandboxProviderError(
        `Daytona could not snapshot the sandbox (state ${snapshot.state}${reason})`,
        "permanent",
      );
    }
    if (Date.now() >= deadline) {
      await forget(client, name);
      throw new SandboxProviderError(
        `Daytona did not finish the sandbox's snapshot within ${timing.timeoutMs / 1000} s (state ${snapshot?.state ?? "not listed yet"})`,
        "transient",
      );
    }
    await sleep(Math.min(pause, Math.max(0, deadline - Date.now())));
    pause = Math.min(pause * 2, timing.maxPollMs);
  }
}

/** Deletes the snapshot named `ref`; one Daytona no longer has is already deleted. */
export async function deleteDaytonaSnapshot(client: DaytonaClient, ref: string): Promise<void> {
  const snapshot = await client.getSnapshot(ref);
  if (snapshot) await client.deleteSnapshot(snapshot.id);
}

async function forget(client: DaytonaClient, name: string): Promise<void> {
  await deleteDaytonaSnapshot(client, name).catch(() => undefined);
}
