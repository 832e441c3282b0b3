/**
 * `daytona` provider: a sandbox per incarnation, created from the snapshot built from Nightshift's
 * sandbox image (DAYTONA_SNAPSHOT), carrying only the bootstrap variables and the labels; Daytona's
 * own idle timers set from Nightshift's idle policy as a backstop; the network limited to the
 * control plane and the tenant's egress allow-list. The runtime is started through the toolbox's
 * session API (an async command) and watched briefly: one that exits at once fails the start with
 * its logs. Readiness is the runtime's hello on the bridge, as for every provider.
 * `snapshot` captures a sandbox as a Daytona snapshot (daytona-snapshots.ts) and `create` starts
 * from one when asked (`fromSnapshot`): a paused session resumes with its clone and setup in place.
 */
import { isIP } from "node:net";
import {
  type CreateSandboxInput,
  checkCreateInput,
  type SandboxHandle,
  type SandboxProvider,
  SandboxProviderError,
  type SandboxSnapshot,
  withoutSecrets,
} from "../provider";
import {
  type CreateSandboxBody,
  DaytonaApiError,
  DaytonaClient,
  type DaytonaSandbox,
} from "./daytona-client";
import { classifyDaytonaError, MISSING_SNAPSHOT } from "./daytona-errors";
import {
  deleteDaytonaSnapshot,
  deploymentTag,
  SNAPSHOT_TIMEOUT_MS,
  takeDaytonaSnapshot,
} from "./daytona-snapshots";

/** Where our sandbox image puts the bundled runtime (packages/sandbox-image). */
export const DAYTONA_RUNTIME_COMMAND = "node /opt/nightshift/runtime.mjs";
/** The toolbox session the runtime runs in. */
export const DAYTONA_RUNTIME_SESSION = "nightshift-runtime";
export const DAYTONA_ISOLATION = "daytona (container)";
/**
 * Minutes added to Nightshift's idle timeout for Daytona's auto-stop: Nightshift stops an idle
 * sandbox itself; Daytona's timer only catches one Nightshift lost track of, and must never stop a
 * sandbox in the middle of a turn (Nightshift's turn limit is 31 minutes).
 */
export const AUTO_STOP_MARGIN_MINUTES = 35;

export interface DaytonaProviderConfig {
  apiUrl: string;
  apiKey: string;
  snapshot: string;
  /** Daytona region ("us", "eu"); Daytona's default when absent. */
  target?: string;
  /** Labelled on every sandbox when the launcher did not (NIGHTSHIFT_DEPLOYMENT). */
  deployment?: string;
  fetch?: typeof fetch;
  /** How long a sandbox may take to reach `started` (default 60 s). */
  startTimeoutMs?: number;
  /** How long the runtime is watched for an immediate exit (default 1 s). */
  startCheckMs?: number;
  /**
   * The pause between state polls once a sandbox has taken a second to start (default 250 ms).
   * Within its first second it is polled every FAST_POLL_MS: most sandboxes start in well under
   * a second, and a 250 ms tick made each create wait for the next tick (docs/performance.md).
   */
  pollIntervalMs?: number;
  /** How long a snapshot may take to become active (default 90 s). */
  snapshotTimeoutMs?: number;
}

/** The pause between state polls in a sandbox's first second. */
export const FAST_POLL_MS = 50;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class DaytonaSandboxProvider implements SandboxProvider {
  readonly name = "daytona";
  private readonly client: DaytonaClient;

  constructor(private readonly config: DaytonaProviderConfig) {
    this.client = new DaytonaClient({
      apiUrl: config.apiUrl,
      apiKey: config.apiKey,
      ...(config.fetch ? { fetch: config.fetch } : {}),
    });
  }

  async create(input: CreateSandboxInput): Promise<SandboxHandle> {
    checkCreateInput(input);
    const secrets = [this.config.apiKey, ...Object.values(input.bootstrap)];
    const classify = (err: unknown) =>
      classifyDaytonaError(err, { apiUrl: this.config.apiUrl, snapshot: this.config.snapshot, secrets });
    let sandbox: DaytonaSandbox;
    try {
      sandbox = await this.client.createSandbox(this.createBody(input));
    } catch (err) {
      throw input.fromSnapshot && isMissingSnapshot(err)
        ? new SandboxProviderError(
            `Daytona no longer has the snapshot "${input.fromSnapshot}" (it was deleted or never became active)`,
            "permanent",
          )
        : classify(err);
    }
    try {
      const started = await this.waitUntilStarted(sandbox);
      await this.startRuntime(started, secrets);
    } catch (err) {
      // Nothing may outlive a failed start: the launcher retries with a new incarnation.
      await this.client.deleteSandbox(sandbox.id).catch(() => false);
      throw classify(err);
    }
    const ported = (input.egress?.allowHosts ?? []).filter((h) => /:\d+$/.test(h));
    const warnings =
      ported.length > 0
        ? [
            `Daytona allows whole domains: the ports in the egress allow-list (${ported.slice(0, 3).join(", ")}) are not enforced`,
          ]
        : [];
    return { providerId: sandbox.id, isolation: DAYTONA_ISOLATION, warnings };
  }

  async terminate(providerId: string): Promise<void> {
    try {
      await this.client.deleteSandbox(providerId);
    } catch (err) {
      throw classifyDaytonaError(err, {
        apiUrl: this.config.apiUrl,
        snapshot: this.config.snapshot,
        secrets: [this.config.apiKey],
      });
    }
  }

  async snapshot(
    providerId: string,
    purpose: "warm" | "resume",
    owner?: { sessionId: string },
  ): Promise<SandboxSnapshot> {
    const pollMs = this.config.pollIntervalMs ?? 250;
    try {
      return await takeDaytonaSnapshot(this.client, providerId, purpose, {
        ...(owner ? { sessionId: owner.sessionId } : {}),
        deploymentTag: await deploymentTag(this.config.deployment),
        timeoutMs: this.config.snapshotTimeoutMs ?? SNAPSHOT_TIMEOUT_MS,
        firstPollMs: Math.max(10, Math.round(pollMs / 5)),
        maxPollMs: pollMs * 4,
      });
    } catch (err) {
      throw this.classifyPlain(err);
    }
  }

  async deleteSnapshot(ref: string): Promise<void> {
    try {
      await deleteDaytonaSnapshot(this.client, ref);
    } catch (err) {
      throw this.classifyPlain(err);
    }
  }

  private classifyPlain(err: unknown): SandboxProviderError {
    return classifyDaytonaError(err, {
      apiUrl: this.config.apiUrl,
      snapshot: this.config.snapshot,
      secrets: [this.config.apiKey],
    });
  }

  private createBody(input: CreateSandboxInput): CreateSandboxBody {
    const idleMinutes = Math.ceil(input.idleTimeoutSeconds / 60);
    const labels = {
      ...(this.config.deployment ? { "nightshift.deployment": this.config.deployment } : {}),
      ...input.labels,
    };
    return {
      snapshot: input.fromSnapshot ?? this.config.snapshot,
      ...(this.config.target ? { target: this.config.target } : {}),
      env: { ...input.bootstrap },
      labels,
      public: false,
      autoStopInterval: idleMinutes + AUTO_STOP_MARGIN_MINUTES,
      // Deleted as soon as it stops: a stopped sandbox is never restarted (a new incarnation is made).
      autoDeleteInterval: 0,
      ...networkAllowLists(input),
    };
  }

  private async waitUntilStarted(sandbox: DaytonaSandbox): Promise<DaytonaSandbox> {
    const deadline = Date.now() + (this.config.startTimeoutMs ?? 60_000);
    const slowPause = this.config.pollIntervalMs ?? 250;
    const fastUntil = Date.now() + 1_000;
    let current = sandbox;
    for (;;) {
      if (current.state === "started") return current;
      if (current.state === "error" || current.state === "build_failed") {
        const reason = current.errorReason ? `: ${current.errorReason}` : "";
        throw new SandboxProviderError(
          `Daytona could not start the sandbox (state ${current.state}${reason}); check the snapshot "${this.config.snapshot}" in Daytona's dashboard`,
          "permanent",
        );
      }
      if (current.state === "destroyed" || current.state === "destroying") {
        throw new SandboxProviderError(
          "the Daytona sandbox was deleted while it started; Nightshift will retry",
          "transient",
        );
      }
      if (Date.now() >= deadline) {
        throw new SandboxProviderError(
          `Daytona did not start the sandbox within ${(this.config.startTimeoutMs ?? 60_000) / 1000} s (state ${current.state}); Nightshift will retry`,
          "transient",
        );
      }
      const pause = Date.now() < fastUntil ? Math.min(FAST_POLL_MS, slowPause) : slowPause;
      await sleep(Math.min(pause, Math.max(0, deadline - Date.now())));
      current = await this.client.getSandbox(sandbox.id);
    }
  }

  private async startRuntime(sandbox: DaytonaSandbox, secrets: string[]): Promise<void> {
    const toolbox = await this.client.toolboxBase(sandbox);
    await this.client.createSession(toolbox, DAYTONA_RUNTIME_SESSION);
    const commandId = await this.client.executeAsync(
      toolbox,
      DAYTONA_RUNTIME_SESSION,
      DAYTONA_RUNTIME_COMMAND,
    );
    // A runtime that cannot start (a snapshot without it, a refused bootstrap) exits within
    // moments; one that runs is left to dial in (readiness is its hello on the bridge). Two looks,
    // early and at the end of the window, rather than a poll every few ms while it boots.
    const checkMs = this.config.startCheckMs ?? 1_000;
    const deadline = Date.now() + checkMs;
    let wait = Math.round(checkMs / 4);
    for (;;) {
      await sleep(Math.min(wait, Math.max(0, deadline - Date.now())));
      const exitCode = await this.client.commandExitCode(toolbox, DAYTONA_RUNTIME_SESSION, commandId);
      if (exitCode !== null) {
        const logs = await this.client
          .commandLogs(toolbox, DAYTONA_RUNTIME_SESSION, commandId)
          .catch(() => "(its logs could not be read)");
        throw new SandboxProviderError(
          `the Nightshift runtime exited at once in the Daytona sandbox (exit code ${exitCode}); is DAYTONA_SNAPSHOT built from Nightshift's sandbox image? Its last output:\n${lastLines(withoutSecrets(logs, secrets))}`,
          "permanent",
        );
      }
      if (Date.now() >= deadline) return;
      wait = deadline - Date.now();
    }
  }
}

/** Daytona's answer to a create naming a snapshot it does not have (or has not finished). */
function isMissingSnapshot(err: unknown): boolean {
  return (
    err instanceof DaytonaApiError &&
    (err.status === 400 || err.status === 404) &&
    MISSING_SNAPSHOT.test(err.detail)
  );
}

/** The last lines of a log, bounded, for a message a person reads. */
function lastLines(text: string, lines = 20, chars = 2_000): string {
  const tail = text.trimEnd().split("\n").slice(-lines).join("\n");
  return tail.length > chars ? `…${tail.slice(-chars)}` : tail || "(no output)";
}

/**
 * Daytona's allow-lists: domains in domainAllowList, IP literals as /32 (/128) networks in
 * networkAllowList. The control plane's host comes first (bridge, model gateway, git proxy).
 */
function networkAllowLists(
  input: CreateSandboxInput,
): Pick<CreateSandboxBody, "domainAllowList" | "networkAllowList"> {
  const hosts = new Set<string>();
  const controlPlane = input.bootstrap.NIGHTSHIFT_CONTROL_PLANE_URL;
  if (controlPlane) hosts.add(new URL(controlPlane).hostname.replace(/^\[|\]$/g, ""));
  for (const host of input.egress?.allowHosts ?? []) hosts.add(host.replace(/:\d+$/, ""));
  const domains = [...hosts].filter((h) => isIP(h) === 0);
  const networks = [...hosts]
    .filter((h) => isIP(h) !== 0)
    .map((ip) => (isIP(ip) === 4 ? `${ip}/32` : `${ip}/128`));
  return {
    ...(domains.length > 0 ? { domainAllowList: domains.join(",") } : {}),
    ...(networks.length > 0 ? { networkAllowList: networks.join(",") } : {}),
  };
}
