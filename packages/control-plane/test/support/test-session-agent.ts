/**
 * The SessionAgent the test worker binds (test/support/test-worker.ts): the production class plus
 * RPCs only tests call, so the deployed Durable Object does not expose them. `appendEvents`
 * stores events as if a sandbox had sent them; `snapshot` reads the session's state in one call.
 */
import { AgentEvent, type AgentEventInput, type Participant, type SessionStatus } from "@nightshift/protocol";
import { z } from "zod";
import type { Bindings } from "../../src/env";
import { SessionAgent } from "../../src/session/agent";
import type { RpcResult } from "../../src/session/rpc-types";

const AppendBatch = z.array(AgentEvent).min(1).max(500);

const notFound = { ok: false, code: "session_not_found", message: "session not found" } as const;

export interface SessionSnapshot {
  status: SessionStatus;
  headSeq: number;
  pendingPrompts: number;
  /** While queued for a sandbox slot: the place in line (1 = next). */
  queuePosition: number | null;
  participants: Participant[];
  /** Whether the sandbox's bridge socket is open. */
  sandboxConnected: boolean;
}

/** The test-only bindings that point a session's DO (never the Worker) at the Daytona double. */
type TestBindings = Bindings & { TEST_DAYTONA_API_URL?: string; TEST_DAYTONA_API_KEY?: string };

export class TestSessionAgent extends SessionAgent {
  constructor(ctx: DurableObjectState, env: TestBindings) {
    // Sessions whose provider is daytona launch on the Daytona double (sandbox-snapshots tests).
    super(ctx, {
      ...env,
      DAYTONA_API_URL: env.TEST_DAYTONA_API_URL,
      DAYTONA_API_KEY: env.TEST_DAYTONA_API_KEY,
      DAYTONA_SNAPSHOT: "nightshift-sandbox",
    });
  }

  async snapshot(tenantId: string): Promise<RpcResult<SessionSnapshot>> {
    const meta = this.ownedMeta(tenantId);
    if (!meta) return notFound;
    return {
      ok: true,
      value: {
        status: meta.status,
        headSeq: this.store.headSeq,
        pendingPrompts: this.store.pendingPromptCount(),
        queuePosition: this.slot.position(),
        participants: this.hub.participants(),
        sandboxConnected: this.bridge.isConnected(),
      },
    };
  }

  async appendEvents(
    tenantId: string,
    events: AgentEventInput[],
  ): Promise<RpcResult<{ firstSeq: number; lastSeq: number }>> {
    if (!this.ownedMeta(tenantId)) return notFound;
    const parsed = AppendBatch.safeParse(events);
    if (!parsed.success) {
      return {
        ok: false,
        code: "invalid_request",
        message: parsed.error.issues[0]?.message ?? "invalid events",
      };
    }
    const rows = this.publish(parsed.data);
    return { ok: true, value: { firstSeq: rows[0]!.seq, lastSeq: rows[rows.length - 1]!.seq } };
  }
}
