/**
 * The session DO's side of a prebuild (meta.prebuild): the runtime reports how its workspace
 * started (every session keeps that, for "warm or cold"); once a prebuild is idle (clone and
 * setup hook done) the `warm.prebuild` deadline snapshots its sandbox through the provider,
 * records the snapshot in the registry (deleting the one it replaces) and stops the session. A
 * prebuild that ends any other way (setup failed, sandbox lost, stopped) records the failure.
 */
import {
  type AgentEvent,
  type SessionStatus,
  TERMINAL_STATUSES,
  type WorkspaceReport,
} from "@nightshift/protocol";
import { openDatabase } from "../db/client";
import { markFailed, markReady } from "../db/repositories/warm";
import type { Bindings } from "../env";
import { deploymentDefaultProvider } from "../providers/availability";
import { createSandboxProvider } from "../providers/factory";
import { repoKeyOf } from "../secrets/sandbox-secrets";
import type { LifecycleInput } from "../session/lifecycle";
import type { MetaStore } from "../session/meta-store";
import type { Scheduler } from "../session/scheduler";
import type { SessionMeta } from "../session/store";

export interface PrebuildSessionParts {
  env: Bindings;
  meta: MetaStore;
  scheduler: Pick<Scheduler, "set">;
  push: (input: LifecycleInput) => void;
  publish: (events: AgentEvent[]) => unknown;
  now: () => number;
}

const ENDED_UNFINISHED = "the prebuild ended before its workspace was ready";

export class PrebuildSession {
  constructor(private readonly parts: PrebuildSessionParts) {}

  /** The runtime's `ready` said how the workspace started (null from an older runtime). */
  workspaceReady(report: WorkspaceReport | null | undefined): void {
    if (report) this.parts.meta.set("sandbox.workspace", report);
  }

  statusChanged(status: SessionStatus, reason: string | undefined): void {
    const meta = this.parts.meta.get("session.meta");
    if (!meta?.prebuild || this.parts.meta.get("warm.recorded")) return;
    const ended = TERMINAL_STATUSES.has(status) || status === "paused";
    if (status !== "idle" && !ended) return;
    if (ended) this.parts.meta.set("warm.failure", reason ?? ENDED_UNFINISHED);
    this.parts.scheduler.set("warm.prebuild", this.parts.now());
  }

  /** The `warm.prebuild` deadline. */
  async finish(): Promise<void> {
    const { meta } = this.parts;
    const session = meta.get("session.meta");
    if (!session?.prebuild || meta.get("warm.recorded")) return;
    if (session.status !== "idle") {
      await this.fail(session, meta.get("warm.failure") ?? ENDED_UNFINISHED);
      return;
    }
    const report = meta.get("sandbox.workspace");
    const providerId = meta.get("sandbox.provider_id");
    if (report?.start !== "prebuild" || !report.head || !providerId) {
      await this.fail(session, "the prebuild's runtime did not report a prebuilt workspace");
      return;
    }
    const provider = createSandboxProvider(this.parts.env, session.sandboxProvider ?? undefined);
    if (!provider.snapshot) {
      await this.fail(session, `the ${provider.name} sandbox provider cannot take snapshots`);
      return;
    }
    let ref: string;
    try {
      ({ ref } = await provider.snapshot(providerId, "warm", { sessionId: session.sessionId }));
    } catch (err) {
      await this.fail(
        session,
        `taking the snapshot failed: ${err instanceof Error ? err.message : "unknown"}`,
      );
      return;
    }
    const { recorded, replaced } = await markReady(
      openDatabase(this.parts.env.DB),
      session.tenantId,
      this.target(session),
      { ref, commit: report.head },
      new Date(this.parts.now()).toISOString(),
    );
    meta.set("warm.recorded", true);
    // The snapshot it replaced (or this one, when a newer prebuild superseded it) is not needed.
    if (replaced) await provider.deleteSnapshot?.(replaced).catch(() => undefined);
    const text = recorded
      ? `prebuilt snapshot ready at ${report.head.slice(0, 12)}; new sessions start from it`
      : "a newer prebuild of this repository started meanwhile; this snapshot was discarded";
    this.parts.publish([{ type: "log", source: "prebuild", stream: "stdout", text: `${text}\n` }]);
    this.parts.push({ kind: "stop.requested", reason: "the prebuild is done" });
  }

  private target(session: SessionMeta) {
    return {
      repoKey: repoKeyOf(session.repo),
      provider: session.sandboxProvider ?? deploymentDefaultProvider(this.parts.env),
      sessionId: session.sessionId,
    };
  }

  private async fail(session: SessionMeta, reason: string): Promise<void> {
    await markFailed(
      openDatabase(this.parts.env.DB),
      session.tenantId,
      this.target(session),
      reason,
      new Date(this.parts.now()).toISOString(),
    );
    this.parts.meta.set("warm.recorded", true);
    this.parts.publish([{ type: "error", code: "prebuild_failed", message: reason }]);
    if (!TERMINAL_STATUSES.has(session.status)) this.parts.push({ kind: "stop.requested", reason });
  }
}

export function prebuildSessionFor(
  env: Bindings,
  meta: MetaStore,
  scheduler: PrebuildSessionParts["scheduler"],
  publish: PrebuildSessionParts["publish"],
  push: PrebuildSessionParts["push"],
): PrebuildSession {
  return new PrebuildSession({ env, meta, scheduler, publish, push, now: Date.now });
}
