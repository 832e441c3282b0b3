/**
 * The sandboxes of this host: create (directory, environment, process), look up, list,
 * terminate, and shut everything down. Each state transition is logged as one JSON line.
 * A sandbox that ends by itself is marked exited with its code; its directory is removed
 * unless the host keeps them for debugging. Ended sandboxes stay listed for a while (bounded).
 */
import { existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  BOOTSTRAP_TOKEN_VARIABLE,
  type CreateSandboxRequest,
  type HostSnapshot,
  type SandboxInfo,
  type SandboxState,
} from "@nightshift/protocol";
import { ulid } from "ulid";
import { DEFAULT_PASS_ENV, type HostConfig } from "../config";
import type { Lookup } from "../egress/resolve-target";
import { checkEgressRequest, type SandboxEgress, startSandboxEgress } from "../egress/sandbox-egress";
import { HostError } from "../http/host-error";
import type { HostLogger } from "../log";
import { type SnapshotOwner, SnapshotStore } from "../snapshots/snapshot-store";
import { toolDirectories } from "./bubblewrap";
import { launcherEnvironment } from "./env-handoff";
import { type Isolation, launchCommand } from "./launch-command";
import { OutputLog } from "./output-log";
import { isSessionBranch, RepoMirror } from "./repo-mirror";
import { resolveRepo } from "./repo-resolver";
import { sandboxEnvironment } from "./sandbox-env";
import { createSandboxDirectories, sandboxLayout } from "./sandbox-layout";
import { sandboxPathsOf, throughForwarder } from "./sandbox-paths";
import { SandboxProcess } from "./sandbox-process";
import { type ReadOnlyBind, ToolView } from "./tool-view";

export type { Isolation } from "./launch-command";

/** Said in every SandboxInfo and log line of a sandbox that shares the host's network (no bubblewrap). */
export const NETWORK_WARNING =
  "network is not isolated: the sandbox shares the host's network, including every loopback service";
const PROCESS_WARNING =
  "no filesystem or network isolation: bubblewrap is unavailable, the sandbox is a plain process group";

/** What the API returns: SandboxInfo plus plain statements about what is not isolated. */
export type SandboxView = SandboxInfo & { network: "shared" | "isolated"; warnings: string[] };

interface Sandbox {
  info: SandboxInfo;
  dir: string;
  process: SandboxProcess | null;
  output: OutputLog | null;
  /** A local repository's mirror: the only copy of it the sandbox reaches. */
  mirror: RepoMirror | null;
  /** The egress proxy of an isolated network; closed with the sandbox. */
  egress: SandboxEgress | null;
  /** Request secret values, only to mask them in the exit log line. */
  secrets: string[];
  /** The tenant and repository a snapshot of its workdir is bound to (null: created without a tenant). */
  owner: SnapshotOwner | null;
  ending: Promise<void> | null;
}

/** The sandbox and bootstrap tokens and every variable the runtime is told to mask: never shown in the host's log. */
function secretValues(env: Record<string, string>): string[] {
  const names = [
    "NIGHTSHIFT_SANDBOX_TOKEN",
    BOOTSTRAP_TOKEN_VARIABLE,
    ...(env.NIGHTSHIFT_SECRET_NAMES ?? "").split(","),
  ];
  return names.map((name) => env[name.trim()] ?? "").filter((value) => value.length > 0);
}

const ENDED: ReadonlySet<SandboxState> = new Set(["exited", "terminated", "failed"]);
const ENDED_KEPT = 100;

export class SandboxManager {
  private readonly sandboxes = new Map<string, Sandbox>();
  private toolView: ToolView | null = null;
  private identity: ReadOnlyBind[] = [];
  /** Workdir copies for warm starts (snapshots/snapshot-store.ts). */
  readonly snapshots: SnapshotStore;

  constructor(
    private readonly config: HostConfig,
    readonly isolation: Isolation,
    private readonly log: HostLogger,
    private readonly hostEnv: NodeJS.ProcessEnv,
    /** How the egress proxy resolves names (tests inject one; default: the system resolver). */
    private readonly egressLookup?: Lookup,
  ) {
    this.snapshots = new SnapshotStore({
      root: join(config.dataDir, "snapshots"),
      maxBytes: config.snapshotMaxBytes,
      keepPerRepo: 2,
      log,
    });
  }

  get warnings(): string[] {
    return this.isolation.kind === "bubblewrap" ? [] : [PROCESS_WARNING, NETWORK_WARNING];
  }

  /** Under bubblewrap the sandbox has its own network namespace and reaches out only through its proxy. */
  get network(): "shared" | "isolated" {
    return this.isolation.kind === "bubblewrap" ? "isolated" : "shared";
  }

  get runningCount(): number {
    return [...this.sandboxes.values()].filter((s) => !ENDED.has(s.info.state)).length;
  }

  view(info: SandboxInfo): SandboxView {
    return { ...info, network: this.network, warnings: this.warnings };
  }

  get(id: string): SandboxInfo | null {
    return this.sandboxes.get(id)?.info ?? null;
  }

  list(): SandboxInfo[] {
    return [...this.sandboxes.values()].map((s) => s.info);
  }

  async create(request: CreateSandboxRequest): Promise<SandboxInfo> {
    if (this.runningCount >= this.config.maxSandboxes) {
      throw new HostError(
        "rate_limited",
        `this host already runs ${this.config.maxSandboxes} sandboxes; retry later`,
      );
    }
    if (!existsSync(this.config.runtimePath)) {
      throw new HostError(
        "internal",
        `the sandbox runtime is not built (${this.config.runtimePath} is missing); run: pnpm --filter @nightshift/sandbox-runtime build`,
      );
    }
    const repo = resolveRepo(request.repo, this.config);
    // A bootstrap request names the branch beside the environment (the runtime learns it later).
    const branch = request.branch ?? request.env.NIGHTSHIFT_BRANCH ?? "";
    if (repo.kind === "local" && !isSessionBranch(branch)) {
      throw new HostError(
        "invalid_request",
        "branch must be a nightshift/* branch: a local repository receives only session branches",
      );
    }
    // Checked before anything starts or is superseded: another tenant's snapshot ref is simply unknown.
    const owner = this.snapshots.ownerFor(request);
    const id = `sbx_${ulid().toLowerCase()}`;
    const bubblewrap = this.isolation.kind === "bubblewrap";
    if (bubblewrap) checkEgressRequest(request);
    const wanted = sandboxPathsOf(request.env);
    const layout = sandboxLayout(this.config.dataDir, id, bubblewrap, wanted);
    const { dir, paths, seen, tmpDir } = layout;
    const env = sandboxEnvironment({
      requestEnv: request.env,
      hostEnv: this.hostEnv,
      passEnv: this.passEnv(),
      nodeBinDir: dirname(this.config.nodePath),
      workdir: seen.work,
      home: seen.home,
      stateDir: seen.state,
      tmpDir,
      sandboxed: bubblewrap,
    });

    // A new incarnation supersedes the session's older sandboxes; they stop in the background.
    for (const older of this.sandboxes.values()) {
      if (older.info.sessionId === request.sessionId && !ENDED.has(older.info.state)) {
        this.log.info("sandbox.superseded", { id: older.info.id, by: id, sessionId: request.sessionId });
        void this.terminate(older.info.id);
      }
    }

    const uid = this.config.sandboxUid || undefined;
    createSandboxDirectories(layout, uid);
    await this.snapshots.seed(request, owner, paths.work, dir);
    const sandbox: Sandbox = {
      info: {
        id,
        sessionId: request.sessionId,
        incarnation: request.incarnation,
        state: "starting",
        isolation: this.isolation.kind,
        pid: null,
        exitCode: null,
        createdAt: new Date().toISOString(),
        endedAt: null,
      },
      dir,
      process: null,
      output: new OutputLog(join(dir, "runtime.log")),
      mirror: null,
      egress: null,
      secrets: secretValues(env),
      owner,
      ending: null,
    };
    this.sandboxes.set(id, sandbox);
    this.transition(sandbox, "starting");

    try {
      if (repo.kind === "local") {
        // Host-owned and never bound into the sandbox: the control plane's git proxy reaches it (gitMirror).
        sandbox.mirror = await RepoMirror.create({
          devGitDir: repo.gitDir,
          path: layout.mirrorPath,
          branch,
          events: {
            synced: (b) => this.log.info("repo.synced", { id, branch: b, repository: repo.path }),
            failed: (reason) => this.log.warn("repo.sync_failed", { id, repository: repo.path, reason }),
          },
        });
      }
      if (bubblewrap) {
        sandbox.egress = await startSandboxEgress({
          dir,
          request,
          // Only what the sandbox is given opens a model endpoint (direct mode); by default nothing does.
          hostEnv: Object.fromEntries(this.passEnv().map((name) => [name, this.hostEnv[name]])),
          defaultAllow: this.config.egressAllow,
          ...(uid !== undefined ? { uid } : {}),
          ...(this.egressLookup ? { lookup: this.egressLookup } : {}),
          onDenied: (denial) =>
            this.log.info("egress.denied", { id, sessionId: request.sessionId, ...denial }),
        });
        Object.assign(env, sandbox.egress.env);
        // With a bootstrap the runtime rewrites the exchanged URL itself, onto its control-plane URL.
        if (wanted.repoUrl)
          env.NIGHTSHIFT_REPO_URL = throughForwarder(
            wanted.repoUrl,
            request.env.NIGHTSHIFT_CONTROL_PLANE_URL ?? "",
            sandbox.egress.env.NIGHTSHIFT_CONTROL_PLANE_URL ?? "",
          );
      }
      const command = launchCommand({
        config: this.config,
        isolation: this.isolation,
        ...(await this.toolsFor(uid)),
        workdir: seen.work,
        readWrite: [
          { source: paths.work, dest: seen.work },
          { source: paths.home, dest: seen.home },
          { source: paths.state, dest: seen.state },
        ],
        ...(sandbox.egress ? { egressSocket: sandbox.egress.bind } : {}),
      });
      sandbox.process = await SandboxProcess.spawn({
        command: command[0]!,
        args: command.slice(1),
        env: launcherEnvironment(dirname(this.config.nodePath)),
        handoff: env,
        cwd: paths.work,
        bubblewrap,
        output: sandbox.output!,
      });
    } catch (err) {
      sandbox.info = { ...sandbox.info, endedAt: new Date().toISOString() };
      this.transition(sandbox, "failed", { reason: (err as Error).message });
      await this.cleanUp(sandbox);
      throw new HostError(
        "internal",
        `cannot start the sandbox: ${(err as Error).message}; check --node and bwrap`,
      );
    }
    sandbox.info = { ...sandbox.info, pid: sandbox.process.pid };
    this.transition(sandbox, "running", { pid: sandbox.process.pid });
    void sandbox.process.exited.then((status) => this.onExit(sandbox, status.code, status.signal));
    return sandbox.info;
  }

  /**
   * The mirror of a live sandbox's local repository, for the control plane's git proxy: found by
   * the session and the incarnation the control plane launched (never by anything the sandbox
   * says); null when that incarnation has ended, was superseded, or works on a GitHub repository.
   */
  gitMirror(sessionId: string, incarnation: string): RepoMirror | null {
    for (const sandbox of this.sandboxes.values()) {
      if (sandbox.info.sessionId !== sessionId || sandbox.info.incarnation !== incarnation) continue;
      if (ENDED.has(sandbox.info.state) || sandbox.ending) return null;
      return sandbox.mirror;
    }
    return null;
  }

  /**
   * Copies a live sandbox's workdir into the snapshot store, bound to the tenant and repository it
   * was created for; the state dir (the runtime's buffer and the agent's HOME) is never copied.
   */
  async snapshot(id: string, purpose: "warm" | "resume"): Promise<HostSnapshot> {
    const sandbox = this.sandboxes.get(id);
    if (!sandbox || ENDED.has(sandbox.info.state) || sandbox.ending)
      throw new HostError("not_found", "no such running sandbox on this host");
    if (!sandbox.owner)
      throw new HostError(
        "conflict",
        "the sandbox was created without a tenantId, so a snapshot of it would belong to no one",
      );
    return this.snapshots.take(join(sandbox.dir, "work"), sandbox.owner, purpose);
  }

  /** Node, the runtime and the agent CLIs (and a passwd entry) as `uid` can reach them. */
  private async toolsFor(
    uid: number | undefined,
  ): Promise<{ tools: ReadOnlyBind[]; identity: ReadOnlyBind[] }> {
    const dirs = [...toolDirectories(this.config.nodePath, this.config.runtimePath), ...this.config.roBinds];
    if (uid === undefined || this.isolation.kind !== "bubblewrap")
      return { tools: dirs.map((dir) => ({ source: dir, dest: dir })), identity: [] };
    if (!this.toolView) {
      this.toolView = new ToolView(join(tmpdir(), `nightshift-tools-${uid}`), uid, uid);
      this.identity = this.toolView.identityFiles();
    }
    return { tools: await this.toolView.binds(dirs), identity: this.identity };
  }

  /** Stops a sandbox (TERM, then KILL after the grace period); null when the id is unknown. */
  async terminate(id: string): Promise<SandboxInfo | null> {
    const sandbox = this.sandboxes.get(id);
    if (!sandbox) return null;
    if (ENDED.has(sandbox.info.state) || !sandbox.process) return sandbox.info;
    if (!sandbox.ending) {
      const process = sandbox.process;
      sandbox.ending = (async () => {
        this.log.info("sandbox.terminating", { id, graceMs: this.config.killGraceMs });
        const status = await process.terminate(this.config.killGraceMs);
        sandbox.info = { ...sandbox.info, exitCode: status.code, endedAt: new Date().toISOString() };
        this.transition(sandbox, "terminated", { exitCode: status.code, signal: status.signal });
        await this.cleanUp(sandbox);
      })();
    }
    await sandbox.ending;
    return sandbox.info;
  }

  /** Terminates every live sandbox (daemon shutdown). */
  async shutdown(): Promise<void> {
    const live = [...this.sandboxes.values()].filter((s) => !ENDED.has(s.info.state));
    await Promise.all(live.map((s) => this.terminate(s.info.id)));
  }

  private async onExit(sandbox: Sandbox, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    if (sandbox.ending || ENDED.has(sandbox.info.state)) return;
    sandbox.process?.reap();
    sandbox.info = { ...sandbox.info, exitCode: code, endedAt: new Date().toISOString() };
    const tail = code === 0 ? undefined : sandbox.output?.tail(sandbox.secrets);
    this.transition(sandbox, "exited", { exitCode: code, signal, ...(tail ? { outputTail: tail } : {}) });
    await this.cleanUp(sandbox);
  }

  private async cleanUp(sandbox: Sandbox): Promise<void> {
    await sandbox.egress?.close();
    sandbox.egress = null;
    // The last fetch into the developer's repository, now that nothing in the sandbox can race it.
    await sandbox.mirror?.close();
    sandbox.mirror = null;
    await sandbox.output?.close();
    sandbox.output = null;
    sandbox.secrets = [];
    if (!this.config.keep) rmSync(sandbox.dir, { recursive: true, force: true });
    this.forgetOldEnded();
  }

  /** The host variables forwarded into every sandbox (none by default, see DEFAULT_PASS_ENV). */
  private passEnv(): string[] {
    return [...new Set([...DEFAULT_PASS_ENV, ...this.config.passEnv])];
  }

  private forgetOldEnded(): void {
    const ended = [...this.sandboxes.values()].filter((s) => ENDED.has(s.info.state));
    for (const old of ended.slice(0, Math.max(0, ended.length - ENDED_KEPT)))
      this.sandboxes.delete(old.info.id);
  }

  private transition(
    sandbox: Sandbox,
    state: SandboxState,
    fields: Record<string, string | number | null> = {},
  ): void {
    sandbox.info = { ...sandbox.info, state };
    const line = {
      id: sandbox.info.id,
      sessionId: sandbox.info.sessionId,
      incarnation: sandbox.info.incarnation,
      state,
      isolation: sandbox.info.isolation,
      ...fields,
    };
    if (state === "starting") this.log.info("sandbox.state", { ...line, warning: this.warnings.join("; ") });
    else if (state === "failed") this.log.error("sandbox.state", line);
    else this.log.info("sandbox.state", line);
  }
}
