/** The session's header: status, trigger, sandbox, elapsed time, tokens, cost, pushed branch, PR, stop. */
import { type Session, TERMINAL_STATUSES } from "@nightshift/protocol";
import { StartedByAutomation } from "../automations/automation-badge";
import { TRIGGER_LABELS } from "../sessions/session-filter";
import { LinearIssueLink } from "../settings/linear-issue-link";
import { SlackThreadLink } from "../settings/slack-thread-link";
import type { Timeline } from "../timeline/timeline";
import { agentLabel } from "../ui/agent-label";
import { formatCost, formatRepo, formatTokens } from "../ui/format";
import { queuePlace } from "../ui/queue-place";
import { isolationFromTimeline, providerLabel } from "../ui/sandbox-provider";
import { sandboxStartFromTimeline, sandboxStartLabel } from "../ui/sandbox-start";
import { StatusBadge } from "../ui/status-badge";
import { webUrl } from "../ui/web-url";
import { Elapsed } from "./elapsed";

/**
 * Usage a CLI gave no cost for, on a model without a list price, is "unknown", never $0: a priced
 * part shows with "+ unknown" beside it.
 */
export function costText(usd: number, unknown: boolean): string {
  if (!unknown) return formatCost(usd);
  return usd > 0 ? `${formatCost(usd)} + unknown` : "unknown";
}

export function SessionSummary({
  session,
  timeline,
  onStop,
  stopping,
  paidBy = null,
}: {
  session: Session;
  timeline: Timeline;
  onStop(): void;
  stopping: boolean;
  /** Whose model account paid ("your account", "tenant account", ...), once the gateway recorded a call. */
  paidBy?: string | null;
}) {
  const status = timeline.status ?? session.status;
  const ended = TERMINAL_STATUSES.has(status);
  const queuePosition = timeline.queuePosition ?? session.queuePosition ?? null;
  const { usage, push, pr } = timeline;
  const prUrl = webUrl(pr?.url ?? session.prUrl);
  // The stream's total is exact; the index row's cost only lags behind it.
  const cost = Math.max(usage.costUsd, session.costUsd);
  const isolation = isolationFromTimeline(timeline) ?? session.sandbox?.isolation ?? null;
  const start = sandboxStartFromTimeline(timeline) ?? session.sandbox?.start ?? null;
  return (
    <header className="session-head">
      <div className="session-title-row">
        <h1>{session.title}</h1>
        <div className="session-actions">
          <button
            type="button"
            className="button button-danger"
            onClick={onStop}
            disabled={ended || stopping || status === "stopping"}
          >
            {status === "stopping" || stopping ? "Stopping…" : "Stop"}
          </button>
        </div>
      </div>
      <dl className="facts">
        <div>
          <dt>Status</dt>
          <dd aria-live="polite" data-testid="session-status">
            <StatusBadge status={status} />
            {status === "queued" && queuePosition ? (
              <span data-testid="queue-position"> — {queuePlace(queuePosition)}, waiting for a sandbox</span>
            ) : null}
            {timeline.statusReason ? <span className="muted small"> {timeline.statusReason}</span> : null}
          </dd>
        </div>
        <div>
          <dt>Repository</dt>
          <dd className="mono">{formatRepo(session.repo)}</dd>
        </div>
        <div>
          <dt>Agent</dt>
          <dd>
            {agentLabel(session.agent)}
            {session.model ? <span className="mono small"> · {session.model}</span> : null}
          </dd>
        </div>
        <div>
          <dt>Trigger</dt>
          <dd data-testid="session-trigger">
            {TRIGGER_LABELS[session.trigger]}
            {session.trigger === "slack" ? <SlackThreadLink sessionId={session.id} /> : null}
            {session.trigger === "linear" ? <LinearIssueLink sessionId={session.id} /> : null}
            <StartedByAutomation automation={session.automation} />
          </dd>
        </div>
        {session.sandbox ? (
          <div>
            <dt>Sandbox</dt>
            <dd data-testid="session-sandbox">
              {providerLabel(session.sandbox.provider)}
              {isolation ? (
                <span className="small"> · isolation: {isolation}</span>
              ) : (
                <span className="muted small"> · not started yet</span>
              )}
            </dd>
            {start ? (
              <dd
                className={start === "warm" ? "badge badge-warm" : "badge"}
                data-testid="sandbox-start"
                title={
                  start === "warm"
                    ? "started from the repository's prebuilt snapshot: no clone, setup hook skipped unless its inputs changed"
                    : "cloned the repository and ran its setup hook"
                }
              >
                {sandboxStartLabel(start)}
              </dd>
            ) : null}
          </div>
        ) : null}
        <div>
          <dt>Elapsed</dt>
          <dd>
            <Elapsed
              since={session.createdAt}
              until={ended ? (timeline.statusAt ?? session.updatedAt) : null}
            />
          </dd>
        </div>
        <div>
          <dt>Tokens</dt>
          <dd
            title={`${usage.inputTokens} in, ${usage.outputTokens} out, ${usage.cacheReadTokens} cache read`}
          >
            {formatTokens(usage.inputTokens)} in · {formatTokens(usage.outputTokens)} out
          </dd>
        </div>
        <div>
          <dt>Cost</dt>
          <dd
            data-testid="session-cost"
            title={
              usage.costUnknown
                ? "some usage came without a cost: no figure from the CLI, no list price"
                : undefined
            }
          >
            {costText(cost, usage.costUnknown)}
            {paidBy ? (
              <span className="muted small" data-testid="session-paid-by">
                {" "}
                · paid by {paidBy}
              </span>
            ) : null}
          </dd>
        </div>
        <div>
          <dt>Branch</dt>
          <dd className="mono">
            {push ? push.branch : session.branch}
            {push ? (
              <span className="small">
                {" "}
                {push.filesChanged} {push.filesChanged === 1 ? "file" : "files"}{" "}
                <span className="ins">+{push.insertions}</span> <span className="del">−{push.deletions}</span>
              </span>
            ) : (
              <span className="muted small"> not pushed yet</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Pull request</dt>
          <dd>
            {prUrl ? (
              <a href={prUrl} target="_blank" rel="noopener noreferrer" data-testid="pr-link">
                {pr ? `#${pr.number} (${pr.state})` : "Open"}
              </a>
            ) : (
              <span className="muted">none yet</span>
            )}
          </dd>
        </div>
      </dl>
    </header>
  );
}
