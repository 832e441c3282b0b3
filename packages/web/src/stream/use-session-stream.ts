/**
 * React binding of SessionStream: events are folded into the timeline at most once per frame
 * (token streams arrive far faster than a screen refreshes), presence and connection state are
 * exposed as they change, and the socket closes when the page does.
 */
import type { Participant, StoredEvent } from "@nightshift/protocol";
import { useCallback, useEffect, useRef, useState } from "react";
import { applyEvents, emptyTimeline, type Timeline } from "../timeline/timeline";
import { type ConnectionState, SessionStream, type StreamOptions } from "./session-stream";

export interface Presence {
  you: string;
  participants: Participant[];
}

export interface SessionStreamView {
  sessionId: string;
  timeline: Timeline;
  connection: ConnectionState;
  /** The backlog has been delivered at least once. */
  replayed: boolean;
  presence: Presence | null;
  serverError: { code: string; message: string } | null;
  setTyping(typing: boolean): void;
}

function scheduleFrame(fn: () => void): () => void {
  // rAF does not run in background tabs; a timer keeps a hidden tab's timeline current.
  if (typeof requestAnimationFrame === "function" && document.visibilityState === "visible") {
    const id = requestAnimationFrame(fn);
    return () => cancelAnimationFrame(id);
  }
  const id = setTimeout(fn, 100);
  return () => clearTimeout(id);
}

export function useSessionStream(
  sessionId: string,
  tenantId: string,
  name: string | undefined,
  /** False once the session is known not to exist (or not to be ours): no socket then. */
  enabled = true,
  extra: Partial<StreamOptions> = {},
): SessionStreamView {
  const [timeline, setTimeline] = useState<Timeline>(emptyTimeline);
  const [connection, setConnection] = useState<ConnectionState>("connecting");
  const [replayed, setReplayed] = useState(false);
  const [presence, setPresence] = useState<Presence | null>(null);
  const [serverError, setServerError] = useState<{ code: string; message: string } | null>(null);
  const streamRef = useRef<SessionStream | null>(null);
  const extraRef = useRef(extra);

  useEffect(() => {
    if (!enabled) return;
    let pending: StoredEvent[] = [];
    let cancelFrame: (() => void) | null = null;
    const flush = () => {
      cancelFrame = null;
      const batch = pending;
      pending = [];
      setTimeline((t) => applyEvents(t, batch));
    };
    setTimeline(emptyTimeline);
    setReplayed(false);
    setPresence(null);
    setServerError(null);
    const stream = new SessionStream(
      { ...extraRef.current, sessionId, tenantId, ...(name ? { name } : {}) },
      {
        onEvents(events) {
          pending.push(...events);
          cancelFrame ??= scheduleFrame(flush);
        },
        onReplayDone() {
          setReplayed(true);
          setServerError(null);
        },
        onPresence(you, participants) {
          setPresence({ you, participants });
        },
        onState: setConnection,
        onServerError(code, message) {
          setServerError({ code, message });
        },
      },
    );
    streamRef.current = stream;
    stream.start();
    return () => {
      stream.close();
      cancelFrame?.();
      streamRef.current = null;
    };
  }, [sessionId, tenantId, name, enabled]);

  const setTyping = useCallback((typing: boolean) => streamRef.current?.setTyping(typing), []);
  return { sessionId, timeline, connection, replayed, presence, serverError, setTyping };
}
