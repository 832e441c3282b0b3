/**
 * The Daytona toolbox's process sessions (the in-sandbox daemon's API behind the toolbox proxy):
 * a session per name, commands executed in it (async: answered at once with a cmdId), their
 * status and logs. The runtime's start command is run on the sandbox host; any other command is
 * answered as a shell without it would (127, command not found).
 */
import type { HostRunner } from "./host-runner";
import type { DaytonaSandbox } from "./sandbox-store";

export interface ToolboxCommand {
  id: string;
  command: string;
  exitCode: number | null;
  output: string;
  /** The host's sandbox running it, for the runtime command. */
  hostId?: string;
}

/** A broken snapshot: the runtime command exits at once with this. */
export interface RuntimeFailure {
  exitCode: number;
  output: string;
}

export class Toolbox {
  private readonly sessions = new Map<string, Map<string, Map<string, ToolboxCommand>>>();

  /** null: runtimes run nowhere (the command just keeps running). */
  private readonly host: HostRunner | null;
  private readonly runtimeCommand: string;
  private readonly runtimeFailure: () => RuntimeFailure | null;

  /** The host snapshot a sandbox's files start from (the Daytona snapshot it was created from). */
  private readonly filesOf: (sandbox: DaytonaSandbox) => string | null;

  constructor(
    host: HostRunner | null,
    runtimeCommand: string,
    runtimeFailure: () => RuntimeFailure | null,
    filesOf: (sandbox: DaytonaSandbox) => string | null = () => null,
  ) {
    this.host = host;
    this.runtimeCommand = runtimeCommand;
    this.runtimeFailure = runtimeFailure;
    this.filesOf = filesOf;
  }

  /** false when the session exists already (Daytona answers 409). */
  createSession(sandboxId: string, sessionId: string): boolean {
    const sessions = this.sessionsOf(sandboxId);
    if (sessions.has(sessionId)) return false;
    sessions.set(sessionId, new Map());
    return true;
  }

  hasSession(sandboxId: string, sessionId: string): boolean {
    return this.sessionsOf(sandboxId).has(sessionId);
  }

  async execute(sandbox: DaytonaSandbox, sessionId: string, command: string): Promise<ToolboxCommand> {
    const commands = this.sessionsOf(sandbox.id).get(sessionId);
    if (!commands) throw new Error(`session ${sessionId} not found`);
    const entry: ToolboxCommand = { id: crypto.randomUUID(), command, exitCode: null, output: "" };
    commands.set(entry.id, entry);
    if (command.trim() !== this.runtimeCommand) {
      const program = command.trim().split(/\s+/)[0] ?? "";
      Object.assign(entry, { exitCode: 127, output: `bash: ${program}: command not found\n` });
      return entry;
    }
    const failure = this.runtimeFailure();
    if (failure) {
      Object.assign(entry, failure);
      return entry;
    }
    if (!this.host) return entry;
    const files = this.filesOf(sandbox);
    try {
      entry.hostId = await this.host.start({
        sessionId: sandbox.labels["nightshift.session"] ?? sandbox.id,
        incarnation: sandbox.labels["nightshift.incarnation"] ?? sandbox.id,
        env: sandbox.env,
        allowHosts: allowHostsOf(sandbox),
        ...(sandbox.labels["nightshift.tenant"] ? { tenantId: sandbox.labels["nightshift.tenant"] } : {}),
        ...(files ? { fromSnapshot: files } : {}),
      });
    } catch (err) {
      Object.assign(entry, { exitCode: 1, output: `${(err as Error).message}\n` });
    }
    return entry;
  }

  /** The command with its exit code brought up to date from the host; null when unknown. */
  async command(sandboxId: string, sessionId: string, commandId: string): Promise<ToolboxCommand | null> {
    const entry = this.sessionsOf(sandboxId).get(sessionId)?.get(commandId);
    if (!entry) return null;
    if (this.host && entry.hostId && entry.exitCode === null) {
      const status = await this.host.status(entry.hostId);
      if (status.exitCode !== null) Object.assign(entry, status);
    }
    return entry;
  }

  /** The host sandbox of the runtime the sandbox runs now, or null. */
  runtimeHostId(sandboxId: string): string | null {
    for (const commands of this.sessionsOf(sandboxId).values())
      for (const c of commands.values()) if (c.hostId && c.exitCode === null) return c.hostId;
    return null;
  }

  /** Ends every runtime the sandbox runs (stop, delete). */
  async stopAll(sandboxId: string): Promise<void> {
    const running = [...this.sessionsOf(sandboxId).values()].flatMap((commands) =>
      [...commands.values()].filter((c) => c.hostId && c.exitCode === null),
    );
    const host = this.host;
    await Promise.allSettled(
      running.map(async (c) => {
        if (host && c.hostId) await host.stop(c.hostId);
        Object.assign(c, { exitCode: 143, output: `${c.output}terminated\n` });
      }),
    );
    this.sessions.delete(sandboxId);
  }

  private sessionsOf(sandboxId: string): Map<string, Map<string, ToolboxCommand>> {
    let sessions = this.sessions.get(sandboxId);
    if (!sessions) {
      sessions = new Map();
      this.sessions.set(sandboxId, sessions);
    }
    return sessions;
  }
}

/** The sandbox's domain allow-list without the control plane's own host (the host always allows that). */
function allowHostsOf(sandbox: DaytonaSandbox): string[] {
  const controlPlane = sandbox.env.NIGHTSHIFT_CONTROL_PLANE_URL;
  const own = controlPlane ? new URL(controlPlane).hostname : "";
  return (sandbox.domainAllowList ?? "")
    .split(",")
    .map((h) => h.trim())
    .filter((h) => h && h !== own);
}
