/**
 * Following a session's events live (tail, run --follow, prompt --follow): printed as they come,
 * across dropped connections without gaps or repeats (the client's stream resumes from the last
 * seq), with a spinner while nothing is happening, until the caller's stop condition says how the
 * command ends.
 */
import type { NightshiftClient } from "@nightshift/client";
import type { EventsPage } from "@nightshift/protocol";
import { type StoredEvent, TERMINAL_STATUSES } from "@nightshift/protocol";
import { persistCompileCacheSoon } from "./compile-cache.ts";
import { EXIT, type ExitCode } from "./exit-codes.ts";
import { BatchedOutput, Waiting } from "./output.ts";
import { EventRenderer } from "./render.ts";

export interface FollowOptions {
  client: NightshiftClient;
  sessionId: string;
  /** Print events after this seq. */
  from: number;
  json: boolean;
  /** Looks at each event; an exit code ends the follow after that event is printed. */
  until(event: StoredEvent): ExitCode | undefined;
  /** Events before this one returns true are read but not printed (e.g. earlier turns). */
  startPrintingAt?(event: StoredEvent): boolean;
  /**
   * Asked alongside the stream, once its socket is on its way (not before it, so the upgrade is
   * the first request the control plane sees and the first event prints sooner): resolves to an
   * exit code when the session had already ended (stop once the backlog is printed), undefined
   * when it is live; a rejection (no such session, bad key) ends the follow with that error.
   */
  ended?: () => Promise<ExitCode | undefined>;
  /**
   * The backlog's first page after `from`, read before the stream is opened (a plain HTTP GET
   * prints sooner than a WebSocket, whose client Node loads on first use); the stream then
   * follows from the last event of the page. Undefined (or a failure) follows from `from`.
   */
  firstPage?: (after: number, signal?: AbortSignal) => Promise<EventsPage | undefined>;
  signal?: AbortSignal;
}

/** How long without events before the spinner says we are waiting. */
const IDLE_SPINNER_MS = 400;
/** ~5 minutes of consecutive failed attempts (the backoff caps at 10 s) before giving up. */
const MAX_FAILED_CONNECTS = 30;

export async function follow(options: FollowOptions): Promise<ExitCode> {
  const out = new BatchedOutput();
  const renderer = new EventRenderer(out.write);
  const waiting = new Waiting(options.json);
  let printing = options.startPrintingAt === undefined;
  let result: ExitCode = EXIT.ok;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  const waitQuietly = (text: string) => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      out.flush();
      renderer.flush();
      out.flush();
      waiting.show(text);
    }, IDLE_SPINNER_MS);
  };
  const stopAfterReplay = new AbortController();
  let replayDone = false;
  let endedWith: ExitCode | undefined;
  let failure: { error: unknown } | undefined;
  const stopIfEnded = () => {
    if (!replayDone || endedWith === undefined) return;
    result = endedWith;
    stopAfterReplay.abort();
  };
  let askedWhetherEnded = false;
  const askWhetherEnded = () => {
    if (askedWhetherEnded || !options.ended) return;
    askedWhetherEnded = true;
    options.ended().then(
      (code) => {
        endedWith = code;
        stopIfEnded();
      },
      (error: unknown) => {
        failure = { error };
        stopAfterReplay.abort();
      },
    );
  };
  const signal = options.signal
    ? AbortSignal.any([options.signal, stopAfterReplay.signal])
    : stopAfterReplay.signal;
  // Every event exactly once, in seq order, whether it came in the first page or over the stream.
  let cursor = options.from;
  const deliver = (event: StoredEvent): "stop" | undefined => {
    cursor = event.seq;
    waiting.hide();
    if (!printing && options.startPrintingAt?.(event)) printing = true;
    if (printing) {
      if (options.json) out.write(`${JSON.stringify(event)}\n`);
      else renderer.render(event);
      persistCompileCacheSoon();
    }
    const end = options.until(event);
    if (end !== undefined) {
      result = end;
      return "stop";
    }
    waitQuietly("waiting for the agent…");
    return undefined;
  };
  try {
    if (options.firstPage && (await printFirstPage(options, deliver, () => cursor))) return result;
    // Out before the stream's client is loaded: that load holds the event loop for a while.
    out.flush();
    await options.client.streamEvents(options.sessionId, {
      from: cursor,
      signal,
      maxConsecutiveFailures: MAX_FAILED_CONNECTS,
      onState: (state) => {
        if (state === "reconnecting") {
          clearTimeout(idleTimer);
          out.flush();
          waiting.show("connection lost; reconnecting…");
        } else if (state === "connecting") {
          waiting.show("connecting…");
          // The stream opens its socket right after this returns; the question follows it.
          queueMicrotask(askWhetherEnded);
        } else {
          waitQuietly("waiting for the agent…");
        }
      },
      onReplayDone: () => {
        replayDone = true;
        stopIfEnded();
      },
      onEvent: deliver,
    });
  } catch (error) {
    // The HTTP answer that stopped the stream says what went wrong (no such session, a bad key);
    // what the stream threw then is only the abort it caused, cut mid-read.
    if (!failure) throw error;
  } finally {
    clearTimeout(idleTimer);
    waiting.hide();
    renderer.flush();
    await out.drained();
  }
  if (failure) throw failure.error;
  return result;
}

/**
 * Delivers the first page's events that continue the cursor without a gap; true when one of them
 * ended the follow. A page that could not be read, or stops short, leaves the rest to the stream.
 */
async function printFirstPage(
  options: FollowOptions,
  deliver: (event: StoredEvent) => "stop" | undefined,
  cursor: () => number,
): Promise<boolean> {
  const page = await options.firstPage?.(cursor(), options.signal).catch(() => undefined);
  if (!page || options.signal?.aborted) return false;
  for (const event of page.events) {
    if (event.seq <= cursor()) continue;
    if (event.seq !== cursor() + 1) return false;
    if (deliver(event) === "stop") return true;
  }
  return false;
}

/** The first turn.end ends the follow: 0 when the turn completed, 1 when it failed or was cancelled. */
export function endOfTurn(promptId?: string) {
  return (stored: StoredEvent): ExitCode | undefined => {
    const e = stored.event;
    if (
      e.type === "turn.end" &&
      (promptId === undefined || e.promptId === undefined || e.promptId === promptId)
    ) {
      return e.status === "completed" ? EXIT.ok : EXIT.failed;
    }
    // The session ended before the turn did: the work asked for was not finished.
    if (e.type === "session.status" && TERMINAL_STATUSES.has(e.status)) {
      return e.status === "completed" ? EXIT.ok : EXIT.failed;
    }
    return undefined;
  };
}

/** A session that ends (stopped, failed, completed) ends the follow: 1 when it failed. */
export function endOfSession(stored: StoredEvent): ExitCode | undefined {
  const e = stored.event;
  if (e.type !== "session.status") return undefined;
  if (e.status === "failed") return EXIT.failed;
  if (e.status === "stopped" || e.status === "completed") return EXIT.ok;
  return undefined;
}
