/**
 * One sandbox's process: started in a process group of its own, its output sent to the
 * sandbox's log, and stopped whole. Under bubblewrap the sandbox is a PID namespace: SIGTERM
 * goes to the sandbox's session group (bwrap reports its pid with --info-fd), and killing bwrap
 * ends the namespace and everything in it. Without bubblewrap, the runtime's whole process
 * tree is signalled, including children that moved to process groups of their own.
 */
import { type ChildProcess, spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { ENV_HANDOFF_FD, handOffEnvironment } from "./env-handoff";
import type { OutputLog } from "./output-log";
import { descendantsOf, isAlive, membersOfGroup, signalQuietly } from "./process-tree";

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnSandboxOptions {
  command: string;
  args: readonly string[];
  /** The launcher's own environment (fixed, see env-handoff.ts). */
  env: Record<string, string>;
  /** The runtime's variables, written to the hand-off pipe (never argv, never `env`). */
  handoff: Record<string, string>;
  cwd: string;
  /** bwrap writes its info JSON (child-pid) to fd 3 when started with --info-fd 3. */
  bubblewrap: boolean;
  output: OutputLog;
}

export class SandboxProcess {
  readonly exited: Promise<ExitStatus>;
  /** The pid of the sandbox's first process inside bwrap, as seen from the host (bwrap only). */
  private innerPid: number | null = null;
  private done = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly bubblewrap: boolean,
  ) {
    this.exited = new Promise((resolve) => {
      child.on("exit", (code, signal) => {
        this.done = true;
        resolve({ code, signal });
      });
    });
  }

  /** Starts the process; rejects when it cannot be started (missing binary, bad cwd). */
  static async spawn(options: SpawnSandboxOptions): Promise<SandboxProcess> {
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env,
      detached: true, // own process group (and session): signals reach the whole sandbox, never the host
      // fd 3: bwrap's info (unused without bwrap); fd ENV_HANDOFF_FD: the runtime's variables.
      stdio: ["ignore", "pipe", "pipe", options.bubblewrap ? "pipe" : "ignore", "pipe"],
    });
    child.stdout?.on("data", (chunk: Buffer) => options.output.write(chunk));
    child.stderr?.on("data", (chunk: Buffer) => options.output.write(chunk));
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", () => resolve());
      child.once("error", reject);
    });
    handOffEnvironment(child.stdio[ENV_HANDOFF_FD] as Writable, options.handoff);
    const sandbox = new SandboxProcess(child, options.bubblewrap);
    if (options.bubblewrap) sandbox.readInfo(child.stdio[3] as Readable | null);
    return sandbox;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get hasExited(): boolean {
    return this.done;
  }

  /** SIGTERM to the sandbox, SIGKILL for whatever is left after `graceMs`; resolves when it is gone. */
  async terminate(graceMs: number): Promise<ExitStatus> {
    const targets = this.signalTargets();
    for (const target of targets) signalQuietly(target, "SIGTERM");
    const timer = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), graceMs).unref());
    const first = await Promise.race([this.exited, timer]);
    if (first === "timeout") this.killRemains(targets);
    const status = await this.exited;
    this.killRemains(targets);
    return status;
  }

  /** After a natural exit: nothing the sandbox started may outlive it. */
  reap(): void {
    this.killRemains(this.signalTargets());
  }

  /** Process groups (as negative pids) and single pids that make up the sandbox right now. */
  private signalTargets(): number[] {
    if (this.bubblewrap) {
      return this.innerPid === null ? [-this.pid] : [-this.innerPid];
    }
    const targets = new Set<number>([-this.pid]);
    for (const { pid, pgrp } of descendantsOf(this.pid)) {
      targets.add(pid);
      if (pgrp !== this.pid && pgrp > 1) targets.add(-pgrp);
    }
    return [...targets];
  }

  private killRemains(targets: number[]): void {
    // Killing bwrap itself tears down the PID namespace (and --die-with-parent covers the rest).
    if (this.bubblewrap && !this.done) signalQuietly(this.pid, "SIGKILL");
    for (const target of targets) {
      const alive = target < 0 ? membersOfGroup(-target).length > 0 : isAlive(target);
      if (alive) signalQuietly(target, "SIGKILL");
    }
  }

  private readInfo(stream: Readable | null): void {
    if (!stream) return;
    let text = "";
    stream.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      const match = /"child-pid"\s*:\s*(\d+)/.exec(text);
      if (match) this.innerPid = Number(match[1]);
      if (text.length > 64 * 1024) stream.destroy();
    });
    stream.on("error", () => {});
  }
}
