/**
 * One session, live: the summary header, presence, the event stream (resumed by cursor after a
 * drop), the follow-up box and stop.
 */
import { type Session, TERMINAL_STATUSES } from "@nightshift/protocol";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo } from "react";
import { Link, useParams } from "react-router";
import { describeError } from "../api/http-client";
import { getSession, sessionKeys, stopSession } from "../api/sessions";
import { useAuth } from "../auth/auth-context";
import { type SessionStreamView, useSessionStream } from "../stream/use-session-stream";
import { EmptyState, ErrorState, Loading } from "../ui/states";
import { FollowUpBox } from "./follow-up-box";
import { usePaidBy } from "./paid-by";
import { PresenceList } from "./presence-list";
import { SessionSummary } from "./session-summary";
import { TimelineView } from "./timeline-view";

const CONNECTION_LABELS = {
  connecting: "Connecting…",
  replaying: "Loading history…",
  live: "Live",
  reconnecting: "Connection lost; reconnecting…",
  closed: "Disconnected",
} as const;

export default function SessionPage() {
  const { id = "" } = useParams();
  const { me, tenant } = useAuth();
  // The stream opens at once, alongside the session's own request: the first events are on
  // screen without waiting for one more round trip.
  const session = useQuery({
    queryKey: sessionKeys.detail(id),
    queryFn: ({ signal }) => getSession(id, signal),
  });
  const view = useSessionStream(id, tenant.id, me.user.name, !session.isError);
  if (session.isError) {
    return (
      <ErrorState error={session.error} onRetry={() => void session.refetch()}>
        <Link to="/">Back to sessions</Link>
      </ErrorState>
    );
  }
  return <LiveSession session={session.data} view={view} />;
}

/** The page; `session` (the index row: title, repo, agent) may still be on its way. */
function LiveSession({ session, view }: { session: Session | undefined; view: SessionStreamView }) {
  const queryClient = useQueryClient();
  const { timeline } = view;
  const status = timeline.status ?? session?.status ?? "queued";
  const closed = TERMINAL_STATUSES.has(status);
  const queued = useMemo(() => new Set(timeline.openPrompts.slice(1)), [timeline.openPrompts]);

  const id = view.sessionId;
  const { me } = useAuth();
  const paidBy = usePaidBy(id, session?.createdBy === me.user.id, closed);
  const stop = useMutation({
    mutationFn: () => stopSession(id),
    onSuccess: (s) => queryClient.setQueryData(sessionKeys.detail(s.id), s),
  });

  // Keep the cached row (title, cost, PR) in step when the stream says the status moved.
  useEffect(() => {
    if (session && timeline.status && timeline.status !== session.status) {
      void queryClient.invalidateQueries({ queryKey: sessionKeys.detail(id) });
    }
  }, [timeline.status, session, id, queryClient]);

  return (
    <section className="session-page" aria-label={session ? `Session ${session.title}` : "Session"}>
      {session ? (
        <SessionSummary
          session={session}
          timeline={timeline}
          onStop={() => stop.mutate()}
          stopping={stop.isPending}
          paidBy={paidBy}
        />
      ) : (
        <Loading label="Loading session…" />
      )}
      {stop.isError ? (
        <p className="form-error" role="alert">
          Could not stop: {describeError(stop.error)}
        </p>
      ) : null}
      <div className="stream-bar">
        <span className={`connection connection-${view.connection}`} data-testid="connection" role="status">
          {CONNECTION_LABELS[view.connection]}
        </span>
        <PresenceList presence={view.presence} />
      </div>
      {view.serverError ? (
        <p className="form-error" role="alert">
          {view.serverError.message}
        </p>
      ) : null}
      {timeline.items.length === 0 ? (
        view.replayed ? (
          <EmptyState title="No events yet">
            The agent's messages, tool calls and pushes will appear here.
          </EmptyState>
        ) : (
          <Loading label="Loading the stream…" />
        )
      ) : (
        <TimelineView items={timeline.items} queued={queued} />
      )}
      <FollowUpBox
        sessionId={id}
        closed={closed}
        turnRunning={timeline.turnRunning}
        seenPromptIds={timeline.promptIds}
        onTyping={view.setTyping}
      />
    </section>
  );
}
