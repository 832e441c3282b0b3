/**
 * The agent's saved conversation, kept by the session's DO so a session outlives its sandbox:
 * after each turn the runtime uploads its CLI's session files as one archive (opaque bytes here,
 * gzip made by the runtime's conversation module), and a resumed sandbox downloads it before its
 * first turn. Stored in SQLite in chunks (a DO value holds at most 2 MB), replaced whole on every
 * save, bounded by CONVERSATION_MAX_BYTES. The agent CLI's own session id rides along, so the
 * resume's environment can name it.
 */
import { CONVERSATION_MAX_BYTES } from "@nightshift/protocol";
import type { MetaStore } from "./meta-store";
import type { SessionMeta } from "./store";

/** Below DO SQLite's 2 MB limit for one value. */
export const CONVERSATION_CHUNK_BYTES = 1024 * 1024;

export type SaveResult =
  | { ok: true; value: { bytes: number } }
  | { ok: false; code: "payload_too_large"; message: string };

export class ConversationStore {
  constructor(
    private readonly sql: SqlStorage,
    private readonly meta: MetaStore,
    private readonly now: () => number,
  ) {}

  /** Replaces the saved conversation; the previous one stays when this one is refused. */
  save(archive: Uint8Array, agentSessionId: string | null): SaveResult {
    if (archive.byteLength > CONVERSATION_MAX_BYTES) {
      return {
        ok: false,
        code: "payload_too_large",
        message: `the conversation archive is ${archive.byteLength} bytes; at most ${CONVERSATION_MAX_BYTES} are kept (the runtime drops the oldest files to fit)`,
      };
    }
    this.sql.exec("DELETE FROM conversation_chunks");
    for (let offset = 0, idx = 0; offset < archive.byteLength; offset += CONVERSATION_CHUNK_BYTES, idx++) {
      const chunk = archive.slice(offset, offset + CONVERSATION_CHUNK_BYTES);
      this.sql.exec("INSERT INTO conversation_chunks (idx, data) VALUES (?, ?)", idx, chunk.buffer);
    }
    this.meta.set("conversation.saved", {
      bytes: archive.byteLength,
      savedAt: new Date(this.now()).toISOString(),
    });
    if (agentSessionId) this.meta.set("conversation.agent_session_id", agentSessionId);
    return { ok: true, value: { bytes: archive.byteLength } };
  }

  /** The saved archive, or null when none was saved. */
  load(): Uint8Array<ArrayBuffer> | null {
    const saved = this.meta.get("conversation.saved");
    if (!saved) return null;
    const out = new Uint8Array(saved.bytes);
    let offset = 0;
    for (const row of this.sql.exec<{ data: ArrayBuffer }>(
      "SELECT data FROM conversation_chunks ORDER BY idx",
    )) {
      const chunk = new Uint8Array(row.data);
      if (offset + chunk.byteLength > out.byteLength) return null;
      out.set(chunk, offset);
      offset += chunk.byteLength;
    }
    // Chunks that do not add up to what was recorded are not a conversation: better none than a torn one.
    return offset === out.byteLength ? out : null;
  }

  /** The agent CLI's own session id, when a turn reported one. */
  agentSessionId(): string | null {
    return this.meta.get("conversation.agent_session_id");
  }
}

/**
 * What a sandbox launched for `meta` learns from the bootstrap exchange about resuming: a
 * resuming session's runtime restores the saved conversation and resumes the CLI's session
 * (`agentSessionId`, the "conversation.agent_session_id" meta value, when a turn reported one).
 */
export function resumeEnv(meta: SessionMeta, agentSessionId: string | null): Record<string, string> {
  if (meta.status !== "resuming") return {};
  return {
    NIGHTSHIFT_RESUME: "1",
    ...(agentSessionId ? { NIGHTSHIFT_AGENT_SESSION_ID: agentSessionId } : {}),
  };
}
