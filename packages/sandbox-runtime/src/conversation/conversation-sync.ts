/**
 * Keeps the agent's conversation in the control plane so the session outlives this sandbox:
 * after each turn `save` uploads the CLI's session files (PUT /sandbox/conversation, sandbox
 * token); a resumed sandbox's `restore` downloads them (GET) and writes them back before its
 * first turn, and says which CLI session id can be resumed. Neither ever fails a turn: a problem
 * becomes a `log` event that says what it means for the session.
 */
import {
  AGENT_SESSION_HEADER,
  CONVERSATION_MAX_BYTES,
  SANDBOX_CONVERSATION_PATH,
} from "@nightshift/protocol";
import type { AgentConversationFiles } from "../agents/adapter";
import type { Emit } from "../events/event-sink";
import type { Logger } from "../log";
import { packConversation, unpackConversation } from "./conversation-archive";

const SOURCE = "conversation";
/** An upload or download that takes longer than this is given up (the next turn saves again). */
const REQUEST_TIMEOUT_MS = 30_000;

export interface ConversationSyncOptions {
  controlPlaneUrl: string;
  /** The current sandbox token (it is renewed over the bridge). */
  token: () => string;
  files: AgentConversationFiles;
  emit: Emit;
  log: Logger;
  /** The archive's bound; the control plane keeps at most CONVERSATION_MAX_BYTES. */
  maxBytes?: number;
  fetch?: typeof fetch;
}

export class ConversationSync {
  private readonly url: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ConversationSyncOptions) {
    this.url = `${options.controlPlaneUrl.replace(/\/+$/, "")}${SANDBOX_CONVERSATION_PATH}`;
    this.fetch = options.fetch ?? fetch;
  }

  /** Uploads the conversation as it is now; `agentSessionId` is the CLI session to resume later. */
  async save(agentSessionId: string | undefined): Promise<boolean> {
    const maxBytes = Math.min(this.options.maxBytes ?? CONVERSATION_MAX_BYTES, CONVERSATION_MAX_BYTES);
    let packed: ReturnType<typeof packConversation>;
    try {
      packed = packConversation(this.options.files.directory, maxBytes);
    } catch (err) {
      // A file that vanished or cannot be read between the listing and the read: the turn still
      // ends (it waits for this save), and the next turn saves again.
      this.note(`could not pack the conversation: ${err instanceof Error ? err.message : String(err)}`);
      return false;
    }
    if (packed.dropped.length > 0) {
      const keptSession =
        agentSessionId !== undefined && this.options.files.holdsSession(packed.kept, agentSessionId);
      this.note(
        `the saved conversation is over its ${maxBytes}-byte bound: ${packed.dropped.length} older file(s) left out` +
          (keptSession
            ? "; the current conversation is kept"
            : "; the current conversation does not fit, so a resumed session starts a fresh one"),
      );
    }
    if (!packed.archive) return false;
    try {
      const res = await this.fetch(this.url, {
        method: "PUT",
        headers: {
          authorization: `Bearer ${this.options.token()}`,
          "content-type": "application/gzip",
          ...(agentSessionId ? { [AGENT_SESSION_HEADER]: agentSessionId } : {}),
        },
        body: packed.archive,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      if (res.ok) {
        await res.body?.cancel();
        this.options.log.debug(`conversation saved (${packed.archive.byteLength} bytes)`);
        return true;
      }
      this.note(
        `could not save the conversation: the control plane answered ${res.status}${await reason(res)}`,
      );
    } catch (err) {
      this.note(`could not save the conversation: ${err instanceof Error ? err.message : String(err)}`);
    }
    return false;
  }

  /**
   * Downloads and writes back the saved conversation. Returns the CLI session id to resume
   * (`agentSessionId` when the restored files hold it), or undefined: the next turn starts a
   * fresh conversation, and the session says so.
   */
  async restore(agentSessionId: string | undefined): Promise<string | undefined> {
    let archive: Uint8Array;
    try {
      const res = await this.fetch(this.url, {
        headers: { authorization: `Bearer ${this.options.token()}` },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      if (res.status === 204) {
        this.note("no saved conversation to restore: the agent starts a fresh one on the session's branch");
        return undefined;
      }
      if (!res.ok) {
        this.note(
          `could not restore the conversation: the control plane answered ${res.status}${await reason(res)}`,
        );
        return undefined;
      }
      archive = new Uint8Array(await res.arrayBuffer());
    } catch (err) {
      this.note(`could not restore the conversation: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
    const unpacked = unpackConversation(this.options.files.directory, archive);
    if (!unpacked.ok) {
      this.note(`${unpacked.problem}; the agent starts a fresh conversation`);
      return undefined;
    }
    if (agentSessionId && this.options.files.holdsSession(unpacked.files, agentSessionId)) {
      this.options.emit({
        type: "log",
        source: SOURCE,
        stream: "stdout",
        text: `restored the agent's conversation (${unpacked.files.length} file(s)); resuming it\n`,
      });
      return agentSessionId;
    }
    this.note("the saved conversation does not hold the agent's last session: the agent starts a fresh one");
    return undefined;
  }

  private note(text: string): void {
    this.options.log.warn(text);
    this.options.emit({ type: "log", source: SOURCE, stream: "stderr", text: `${text}\n` });
  }
}

/** The control plane's error message, when it sent one (never a secret: the error table's words). */
async function reason(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: { message?: unknown } };
    return typeof body.error?.message === "string" ? ` (${body.error.message.slice(0, 300)})` : "";
  } catch {
    return "";
  }
}
