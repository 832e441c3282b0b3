/**
 * One automation: what it is (trigger, repository, agent, template, filter, limits, who it acts
 * as), its state, the secret right after create or rotate, the payload tester and the run history.
 * Admins manage it from here; members read.
 */
import { type Automation, automationHasSecret } from "@nightshift/protocol";
import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { ApiError } from "../api/http-client";
import { agentLabel } from "../ui/agent-label";
import { EmptyState, ErrorState, Loading } from "../ui/states";
import { AutomationActions } from "./automation-actions";
import { AutomationState } from "./automation-list";
import { automationKeys, getAutomation, inboundUrl } from "./automations-api";
import { describeRepo, describeTrigger, formatWhen } from "./describe";
import { useOneTimeSecret } from "./one-time-secret";
import { PayloadTester } from "./payload-tester";
import { RunHistory } from "./run-history";
import { SecretOnce } from "./secret-once";

const REFRESH_MS = 10_000;

function Facts({ automation: a }: { automation: Automation }) {
  const trigger = describeTrigger(a.trigger);
  return (
    <dl className="facts automation-facts">
      <dt>Trigger</dt>
      <dd data-testid="automation-trigger">
        {trigger.kind}
        {trigger.detail ? <span className="muted"> · {trigger.detail}</span> : null}
      </dd>
      {automationHasSecret(a.trigger.kind) ? (
        <>
          <dt>Inbound URL</dt>
          <dd>
            <code className="small">{inboundUrl(a.id)}</code>
          </dd>
        </>
      ) : null}
      <dt>Repository</dt>
      <dd className="mono">{describeRepo(a.repo)}</dd>
      <dt>Agent</dt>
      <dd>
        {a.agent ? agentLabel(a.agent) : "tenant default"}
        {a.model ? <span className="muted"> · {a.model}</span> : null}
      </dd>
      <dt>Filter</dt>
      <dd>{a.filter ? <code>{a.filter}</code> : <span className="muted">none: every delivery runs</span>}</dd>
      <dt>Dedupe key</dt>
      <dd>{a.dedupeKey ? <code>{a.dedupeKey}</code> : <span className="muted">the delivery's id</span>}</dd>
      <dt>Limits</dt>
      <dd>
        {a.limits.maxRunsPerHour} runs an hour · {a.limits.maxConcurrent} at once
      </dd>
      <dt>Acts as</dt>
      <dd className="mono">{a.actingUserId}</dd>
      <dt>Last run</dt>
      <dd>{formatWhen(a.lastRunAt)}</dd>
      {a.trigger.kind === "schedule" ? (
        <>
          <dt>Next run</dt>
          <dd>{a.nextRunAt ? formatWhen(a.nextRunAt) : <span className="muted">not scheduled</span>}</dd>
        </>
      ) : null}
      {a.consecutiveFailures > 0 ? (
        <>
          <dt>Failures in a row</dt>
          <dd>{a.consecutiveFailures} (it pauses itself at 3)</dd>
        </>
      ) : null}
    </dl>
  );
}

export function AutomationDetail({ admin }: { admin: boolean }) {
  const { id = "" } = useParams();
  const secrets = useOneTimeSecret();
  const query = useQuery({
    queryKey: automationKeys.detail(id),
    queryFn: ({ signal }) => getAutomation(id, signal),
    // Deliveries and schedules change its last run, next run and state (an auto-pause) behind our back.
    refetchInterval: REFRESH_MS,
    refetchIntervalInBackground: false,
  });

  if (query.isPending) return <Loading label="Loading the automation…" />;
  if (query.isError) {
    if (query.error instanceof ApiError && query.error.isNotFound) {
      return (
        <EmptyState title="This automation does not exist">
          <p>
            It may have been deleted. Back to <Link to="/automations">Automations</Link>.
          </p>
        </EmptyState>
      );
    }
    return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  }
  const a = query.data;
  const held = secrets.held?.automationId === a.id ? secrets.held : null;
  return (
    <section aria-labelledby="automation-title" className="automation-detail">
      <p className="small">
        <Link to="/automations">← Automations</Link>
      </p>
      <div className="page-head">
        <h1 id="automation-title">{a.name}</h1>
        <span data-testid="automation-state">
          <AutomationState automation={a} />
        </span>
      </div>
      {held ? (
        <SecretOnce
          automationId={a.id}
          kind={a.trigger.kind}
          secret={held.secret}
          rotated={held.rotated}
          onDone={secrets.forget}
        />
      ) : null}
      {admin ? <AutomationActions automation={a} /> : null}
      <Facts automation={a} />
      <h2 className="h3">Prompt template</h2>
      {a.promptTemplate ? (
        <pre className="rendered-prompt">{a.promptTemplate}</pre>
      ) : (
        <p className="muted">The preset's own prompt.</p>
      )}
      {admin ? (
        <PayloadTester
          target={{ kind: "saved", automationId: a.id }}
          runnable={a.trigger.kind !== "schedule"}
        />
      ) : null}
      <RunHistory automationId={a.id} />
    </section>
  );
}
