/**
 * The Daytona double's sandboxes: the create body Daytona accepts (CreateSandbox), the sandbox as
 * its API shows it (SandboxDto's fields Nightshift reads), and the state machine with delays —
 * creating → started, stopping → stopped, starting → started, destroying → destroyed — driven by
 * timers so a client sees the intermediate states a real sandbox goes through.
 */
import { z } from "zod";

const stringMap = z.record(z.string(), z.string());

/** POST /sandbox (v0.190.0 CreateSandboxDto); unknown fields refused, as Nest's whitelist validation does. */
export const CreateSandboxBody = z.strictObject({
  name: z.string().min(1).max(63).optional(),
  snapshot: z.string().min(1).optional(),
  user: z.string().optional(),
  env: stringMap.optional(),
  labels: stringMap.optional(),
  public: z.boolean().optional(),
  networkBlockAll: z.boolean().optional(),
  networkAllowList: z.string().optional(),
  domainAllowList: z.string().optional(),
  target: z.string().optional(),
  cpu: z.number().int().optional(),
  gpu: z.number().int().optional(),
  memory: z.number().int().optional(),
  disk: z.number().int().optional(),
  autoStopInterval: z.number().int().min(0).optional(),
  autoArchiveInterval: z.number().int().min(0).optional(),
  autoDeleteInterval: z.number().int().optional(),
  volumes: z.array(z.unknown()).optional(),
  buildInfo: z.unknown().optional(),
});
export type CreateSandboxBody = z.infer<typeof CreateSandboxBody>;

export type DaytonaSandboxState =
  | "creating"
  | "started"
  | "stopping"
  | "stopped"
  | "starting"
  | "destroying"
  | "destroyed"
  | "snapshotting"
  | "error";

/** A sandbox as GET /sandbox/{id} shows it. */
export interface DaytonaSandbox {
  id: string;
  organizationId: string;
  name: string;
  snapshot: string;
  user: string;
  env: Record<string, string>;
  labels: Record<string, string>;
  public: boolean;
  networkBlockAll: boolean;
  networkAllowList?: string;
  domainAllowList?: string;
  target: string;
  cpu: number;
  gpu: number;
  memory: number;
  disk: number;
  state: DaytonaSandboxState;
  desiredState: DaytonaSandboxState;
  errorReason?: string;
  autoStopInterval: number;
  autoArchiveInterval: number;
  autoDeleteInterval: number;
  toolboxProxyUrl: string;
  createdAt: string;
  updatedAt: string;
}

export interface StateDelays {
  /** creating → started (and starting → started). */
  startMs: number;
  /** stopping → stopped. */
  stopMs: number;
  /** destroying → destroyed. */
  destroyMs: number;
  /** started → snapshotting → started while a snapshot is taken (its snapshot is active then). */
  snapshotMs: number;
}

export class SandboxStore {
  private readonly sandboxes = new Map<string, DaytonaSandbox>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private counter = 0;
  private readonly delays: StateDelays;
  /** Called when a sandbox stops or is deleted: its runtime ends. */
  private readonly onStopped: (sandbox: DaytonaSandbox) => void;

  constructor(delays: StateDelays, onStopped: (sandbox: DaytonaSandbox) => void) {
    this.delays = delays;
    this.onStopped = onStopped;
  }

  create(body: CreateSandboxBody, snapshot: string, toolboxProxyUrl: string): DaytonaSandbox {
    const now = new Date().toISOString();
    const id = `${(++this.counter).toString(16).padStart(8, "0")}-d4y7-4e0a-9b1c-${crypto
      .randomUUID()
      .slice(-12)}`;
    const sandbox: DaytonaSandbox = {
      id,
      organizationId: "org-nightshift-double",
      name: body.name ?? id,
      snapshot,
      user: body.user ?? "daytona",
      env: body.env ?? {},
      labels: body.labels ?? {},
      public: body.public ?? false,
      networkBlockAll: body.networkBlockAll ?? false,
      ...(body.networkAllowList !== undefined ? { networkAllowList: body.networkAllowList } : {}),
      ...(body.domainAllowList !== undefined ? { domainAllowList: body.domainAllowList } : {}),
      target: body.target ?? "us",
      cpu: 1,
      gpu: 0,
      memory: 1,
      disk: 3,
      state: "creating",
      desiredState: "started",
      autoStopInterval: body.autoStopInterval ?? 15,
      autoArchiveInterval: body.autoArchiveInterval ?? 10_080,
      autoDeleteInterval: body.autoDeleteInterval ?? -1,
      toolboxProxyUrl,
      createdAt: now,
      updatedAt: now,
    };
    this.sandboxes.set(id, sandbox);
    this.transition(sandbox, "started", this.delays.startMs);
    return sandbox;
  }

  /** By id or name, as Daytona resolves `{idOrName}`; destroyed ones are gone. */
  find(idOrName: string): DaytonaSandbox | null {
    const sandbox =
      this.sandboxes.get(idOrName) ?? [...this.sandboxes.values()].find((s) => s.name === idOrName);
    return sandbox && sandbox.state !== "destroyed" ? sandbox : null;
  }

  /** Live sandboxes whose labels include every pair of `labels`, oldest first. */
  list(labels: Record<string, string>): DaytonaSandbox[] {
    return [...this.sandboxes.values()].filter(
      (s) => s.state !== "destroyed" && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
    );
  }

  all(): DaytonaSandbox[] {
    return [...this.sandboxes.values()];
  }

  stop(sandbox: DaytonaSandbox): void {
    if (sandbox.state === "stopped" || sandbox.state === "stopping") return;
    sandbox.desiredState = "stopped";
    this.set(sandbox, "stopping");
    this.onStopped(sandbox);
    this.transition(sandbox, "stopped", this.delays.stopMs);
  }

  start(sandbox: DaytonaSandbox): void {
    if (sandbox.state === "started" || sandbox.state === "starting") return;
    sandbox.desiredState = "started";
    this.set(sandbox, "starting");
    this.transition(sandbox, "started", this.delays.startMs);
  }

  destroy(sandbox: DaytonaSandbox): void {
    sandbox.desiredState = "destroyed";
    this.set(sandbox, "destroying");
    this.onStopped(sandbox);
    this.transition(sandbox, "destroyed", this.delays.destroyMs);
  }

  /** A snapshot of it is being taken: `snapshotting` until `snapshotDone`. */
  snapshotting(sandbox: DaytonaSandbox): void {
    this.set(sandbox, "snapshotting");
  }

  snapshotDone(sandbox: DaytonaSandbox): void {
    if (sandbox.state === "snapshotting") this.set(sandbox, "started");
  }

  /** Stops every pending transition (the double is closing). */
  clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private set(sandbox: DaytonaSandbox, state: DaytonaSandboxState): void {
    sandbox.state = state;
    sandbox.updatedAt = new Date().toISOString();
  }

  private transition(sandbox: DaytonaSandbox, to: DaytonaSandboxState, afterMs: number): void {
    const from = sandbox.state;
    const apply = () => {
      // A later call (a stop during creating, a delete) moved it on: this transition is stale.
      if (sandbox.state === from) this.set(sandbox, to);
    };
    if (afterMs <= 0) {
      apply();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      apply();
    }, afterMs);
    this.timers.add(timer);
  }
}
