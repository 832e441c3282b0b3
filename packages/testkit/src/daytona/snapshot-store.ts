/**
 * The Daytona double's snapshots (v0.190.0 SnapshotDto's fields Nightshift reads): the base
 * snapshots the organization starts with (active at once) and the ones taken from a sandbox with
 * `POST /sandbox/{id}/snapshot {name}`, which go pending → active after a delay while their sandbox
 * shows `snapshotting`. Names are unique in the organization, as Daytona enforces.
 */

export type DaytonaSnapshotState = "pending" | "building" | "active" | "error" | "removing";

/** A snapshot as GET /snapshots/{idOrName} shows it. */
export interface DaytonaSnapshot {
  id: string;
  organizationId: string;
  general: boolean;
  name: string;
  state: DaytonaSnapshotState;
  size: number | null;
  errorReason: string | null;
  /** The sandbox it was taken from (the double's own bookkeeping; Daytona keeps it in its job). */
  sourceSandboxId: string | null;
  /** The host snapshot holding its files (the double's bookkeeping): a sandbox created from it starts with them. */
  hostRef: string | null;
  createdAt: string;
  updatedAt: string;
}

export class SnapshotStore {
  private readonly snapshots = new Map<string, DaytonaSnapshot>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(baseNames: readonly string[]) {
    for (const name of baseNames) this.add(name, "active", null);
  }

  /** By id or name, as Daytona resolves `{idOrName}`. */
  find(idOrName: string): DaytonaSnapshot | null {
    return (
      this.snapshots.get(idOrName) ?? [...this.snapshots.values()].find((s) => s.name === idOrName) ?? null
    );
  }

  all(): DaytonaSnapshot[] {
    return [...this.snapshots.values()];
  }

  /** Names starting with `prefix` (Daytona's list filters by a name substring; a prefix is what Nightshift uses). */
  list(namePrefix: string | null): DaytonaSnapshot[] {
    return this.all().filter((s) => namePrefix === null || s.name.startsWith(namePrefix));
  }

  /** A snapshot taken from a sandbox: pending until `afterMs` has passed, then active (and `done` runs). */
  take(name: string, sandboxId: string, afterMs: number, done: () => void): DaytonaSnapshot {
    const snapshot = this.add(name, "pending", sandboxId);
    const finish = () => {
      if (snapshot.state !== "pending") return;
      snapshot.state = "active";
      snapshot.size = 0.1;
      snapshot.updatedAt = new Date().toISOString();
      done();
    };
    if (afterMs <= 0) finish();
    else {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        finish();
      }, afterMs);
      this.timers.add(timer);
    }
    return snapshot;
  }

  remove(snapshot: DaytonaSnapshot): void {
    this.snapshots.delete(snapshot.id);
  }

  clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private add(name: string, state: DaytonaSnapshotState, sourceSandboxId: string | null): DaytonaSnapshot {
    const now = new Date().toISOString();
    const snapshot: DaytonaSnapshot = {
      id: crypto.randomUUID(),
      organizationId: "org-nightshift-double",
      general: false,
      name,
      state,
      size: state === "active" ? 1 : null,
      errorReason: null,
      sourceSandboxId,
      hostRef: null,
      createdAt: now,
      updatedAt: now,
    };
    this.snapshots.set(snapshot.id, snapshot);
    return snapshot;
  }
}
