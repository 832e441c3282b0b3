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

/** Who a snapshot belongs to, as its name records it for the sweep (daytona-snapshot-sweep.ts). */
export interface SnapshotOwner {
  /** `deploymentTag(NIGHTSHIFT_DEPLOYMENT)`. */
  deploymentTag: string;
  /** The session the sandbox runs, when the caller knows it (else read from the sandbox's label). */
  sessionId?: string;
}

export interface ParsedSnapshotName {
  purpose: "warm" | "resume";
  deploymentTag: string;
  sessionId: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const SESSION_LABEL = "nightshift.session";
/** Session ids are lowercase ULIDs (services/sessions.ts, warm/prebuild.ts). */
const SESSION_ID = /^[0-9a-z]{26}$/;
const OWNED_NAME = /^nightshift-(warm|resume)-(x|[0-9a-f]{8})-([0-9a-z]{26})-([0-9a-z]{1,12})$/;

/**
 * The deployment as a snapshot name carries it: "x" for an unnamed deployment, else 8 hex digits
 * of its SHA-256 (a name may hold any characters; Daytona's snapshot names are kept to [a-z0-9-]).
 */
export async function deploymentTag(deployment: string | undefined): Promise<string> {
  if (!deployment) return "x";
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(deployment));
  return [...new Uint8Array(digest).slice(0, 4)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * A name Daytona accepts and the sweep can judge: `nightshift-<purpose>-<deployment tag>-<session
 * id>-<time>`. A sandbox without a session label (none Nightshift creates) gets the sandbox id in
 * the session's place, a name the sweep never matches and so never deletes.
 */
export function snapshotName(
  purpose: "warm" | "resume",
  owner: SnapshotOwner & { sessionId: string | undefined; sandboxId: string },
  now = Date.now(),
): string {
  const time = now.toString(36);
  if (owner.sessionId && SESSION_ID.test(owner.sessionId))
    return `${SNAPSHOT_NAME_PREFIX}${purpose}-${owner.deploymentTag}-${owner.sessionId}-${time}`;
  const id = owner.sandboxId.replace(/[^A-Za-z0-9-]/g, "").slice(0, 64);
  return `${SNAPSHOT_NAME_PREFIX}${purpose}-${id}-${time}`;
}

/** What a snapshot name Nightshift made says about its owner; null for any other name. */
export function parseSnapshotName(name: string): ParsedSnapshotName | null {
  const match = OWNED_NAME.exec(name);
  if (!match) return null;
  return {
    purpose: match[1] as "warm" | "resume",
    deploymentTag: match[2] as string,
    sessionId: match[3] as string,
  };
}

export async function takeDaytonaSnapshot(
  client: DaytonaClient,
  sandboxId: string,
  purpose: "warm" | "resume",
  timing: SnapshotTiming & SnapshotOwner,
): Promise<SandboxSnapshot> {
  // The owner is in the name, so a snapshot whose recording is lost can still be judged: the
  // caller says whose it is; only without that is the sandbox's session label read.
  const sessionId = timing.sessionId ?? (await client.getSandbox(sandboxId)).labels[SESSION_LABEL];
  const name = snapshotName(purpose, { deploymentTag: timing.deploymentTag, sessionId, sandboxId });
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
