/**
 * The session's own provider snapshot (issue 13 §6): when Nightshift's idle policy stops a
 * sandbox between turns, the sandbox is snapshotted first (bounded; on failure it is stopped all
 * the same and the session says so), and a follow-up creates the next incarnation from that
 * snapshot, so the clone and the setup hook's work are there; the runtime still takes the pushed
 * branch and the saved conversation as the truth. One snapshot per session is kept (a newer one
 * replaces it); a snapshot the provider no longer has is given up once for the branch; an ended
 * session's snapshot is deleted. Deletions run on the `snapshot.delete` deadline and are retried
 * with backoff until the provider confirms them. A sandbox lost behind Nightshift's back cannot be
 * snapshotted: its session resumes from the last snapshot it has, else from the branch.
 */
import type { AgentEvent, SessionStatus } from "@nightshift/protocol";
import { TERMINAL_STATUSES } from "@nightshift/protocol";
import type { Bindings } from "../env";
import { createSandboxProvider } from "../providers/factory";
import type { SandboxProvider } from "../providers/provider";
import type { MetaStore } from "./meta-store";
import type { Scheduler } from "./scheduler";
import type { SessionMeta } from "./store";

/** The longest the idle stop waits for a snapshot before stopping the sandbox without one. */
export const SNAPSHOT_WAIT_MS = 120_000;
/** Refs waiting to be deleted, at most (the oldest beyond this are left to the provider's expiry). */
const MAX_DOOMED = 20;

export interface SessionSnapshotParts {
  meta: MetaStore;
  /** The session's own provider, as the launcher uses it. */
  provider: (meta: Pick<SessionMeta, "sandboxProvider">) => SandboxProvider;
  scheduler: Pick<Scheduler, "set">;
  publish: (events: AgentEvent[]) => unknown;
  now: () => number;
  waitMs?: number;
}

/**
 * What the idle stop's snapshot came to, for the pause's status text; `stillIdle` is false when a
 * turn ran while the snapshot was taken (the stop is then off: the new idle period has its own).
 */
export interface IdleSnapshotOutcome {
  snapshot: "taken" | "failed" | "unsupported";
  stillIdle: boolean;
}

export class SessionSnapshots {
  /** While the idle stop's snapshot is taken: whether the session left `idle` meanwhile (a turn ran). */
  private turnDuringSnapshot: boolean | null = null;

  constructor(private readonly parts: SessionSnapshotParts) {}

  /** The snapshot a resume creates from, or null (then it starts from the branch). */
  resumeRef(): string | null {
    return this.parts.meta.get("snapshot.resume")?.ref ?? null;
  }

  /**
   * Before the idle policy stops the live sandbox: snapshot it and keep the reference (the
   * previous one is deleted). Never throws: a failed or slow snapshot is logged and the stop goes on.
   */
  async takeBeforeIdleStop(): Promise<IdleSnapshotOutcome> {
    const { meta } = this.parts;
    const session = meta.get("session.meta");
    const providerId = meta.get("sandbox.provider_id");
    if (session?.status !== "idle" || !providerId) return { snapshot: "unsupported", stillIdle: true };
    let provider: SandboxProvider;
    try {
      provider = this.parts.provider(session);
    } catch {
      return { snapshot: "unsupported", stillIdle: true };
    }
    if (!provider.snapshot) return { snapshot: "unsupported", stillIdle: true };
    // A turn while the snapshot is taken moves the status away from idle (statusChanged sees it);
    // a stray runtime event while idle does not count.
    this.turnDuringSnapshot = false;
    const stillIdle = () => meta.get("session.meta")?.status === "idle" && this.turnDuringSnapshot === false;
    const started = this.parts.now();
    try {
      const snapshot = await withinMs(
        provider.snapshot(providerId, "resume", { sessionId: session.sessionId }),
        this.parts.waitMs ?? SNAPSHOT_WAIT_MS,
      );
      const previous = meta.get("snapshot.resume");
      meta.set("snapshot.resume", {
        ref: snapshot.ref,
        takenAt: new Date(this.parts.now()).toISOString(),
        ...(snapshot.expiresAt ? { expiresAt: snapshot.expiresAt } : {}),
      });
      if (previous && previous.ref !== snapshot.ref) this.doom(previous.ref);
      const seconds = ((this.parts.now() - started) / 1000).toFixed(1);
      this.log(
        "stdout",
        `snapshotted the sandbox in ${seconds} s before stopping it; a follow-up resumes from it`,
      );
      return { snapshot: "taken", stillIdle: stillIdle() };
    } catch (err) {
      const reason = err instanceof Error ? err.message : "the provider failed";
      this.log(
        "stderr",
        `could not snapshot the sandbox before stopping it (${reason}); a follow-up resumes from the session's branch and conversation`,
      );
      return { snapshot: "failed", stillIdle: stillIdle() };
    } finally {
      this.turnDuringSnapshot = null;
    }
  }

  /** The provider could not create from `ref` (it no longer has it): give it up once, for the branch. */
  giveUp(ref: string, reason: string): void {
    if (this.resumeRef() === ref) this.parts.meta.delete("snapshot.resume");
    this.doom(ref);
    this.parts.publish([
      {
        type: "session.status",
        status: "resuming",
        reason:
          "the session's snapshot could not be used; resuming from the session's branch and conversation",
      },
    ]);
    this.log("stderr", `the snapshot could not be used (${reason}); starting from the branch instead`);
  }

  /** An ended session keeps no snapshot. */
  statusChanged(status: SessionStatus): void {
    if (this.turnDuringSnapshot === false && status !== "idle") this.turnDuringSnapshot = true;
    if (!TERMINAL_STATUSES.has(status)) return;
    const current = this.parts.meta.get("snapshot.resume");
    if (!current) return;
    this.parts.meta.delete("snapshot.resume");
    this.doom(current.ref);
  }

  /** The `snapshot.delete` deadline: deletes every doomed snapshot; throws (to be retried) if one failed. */
  async deleteDoomed(): Promise<void> {
    const { meta } = this.parts;
    const doomed = meta.get("snapshot.doomed") ?? [];
    const session = meta.get("session.meta");
    if (doomed.length === 0 || !session) return;
    const provider = this.parts.provider(session);
    const left: string[] = [];
    let problem: string | null = null;
    for (const ref of doomed) {
      try {
        await provider.deleteSnapshot?.(ref);
      } catch (err) {
        left.push(ref);
        problem = err instanceof Error ? err.message : "the provider failed";
      }
    }
    // Refs added while the deletions ran stay doomed too.
    const added = (meta.get("snapshot.doomed") ?? []).filter((ref) => !doomed.includes(ref));
    const remaining = [...left, ...added];
    if (remaining.length > 0) meta.set("snapshot.doomed", remaining);
    else meta.delete("snapshot.doomed");
    if (problem) throw new Error(`could not delete a sandbox snapshot: ${problem}`);
    if (added.length > 0) this.parts.scheduler.set("snapshot.delete", this.parts.now());
  }

  private doom(ref: string): void {
    const doomed = this.parts.meta.get("snapshot.doomed") ?? [];
    if (!doomed.includes(ref)) this.parts.meta.set("snapshot.doomed", [...doomed, ref].slice(-MAX_DOOMED));
    this.parts.scheduler.set("snapshot.delete", this.parts.now());
  }

  private log(stream: "stdout" | "stderr", text: string): void {
    this.parts.publish([{ type: "log", source: "sandbox", stream, text: `${text}\n` }]);
  }
}

function withinMs<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no snapshot within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** The session's snapshots as the deployment configures them (the launcher's provider choice). */
export function sessionSnapshotsFor(
  env: Bindings,
  parts: Omit<SessionSnapshotParts, "provider" | "now">,
): SessionSnapshots {
  return new SessionSnapshots({
    ...parts,
    provider: (meta) => createSandboxProvider(env, meta.sandboxProvider ?? undefined),
    now: Date.now,
  });
}
