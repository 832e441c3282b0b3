/**
 * Linear `AgentSessionEvent` deliveries for the end-to-end suite and the benchmarks, built on the
 * recorded ones the control plane's router tests read (packages/control-plane/test/fixtures/
 * linear-webhooks, see its README): a delegation that opens an agent session on an issue, and the
 * requester's follow-up (or stop signal) in that session. Sent with the testkit's Linear sender.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { LinearDouble } from "@nightshift/testkit/linear";
import { REPO_ROOT } from "./worker";

type Delivery = Record<string, unknown> & { agentSession: Record<string, unknown> };

function recorded(name: string): Delivery & { agentActivity?: Record<string, unknown> } {
  const path = join(REPO_ROOT, "packages/control-plane/test/fixtures/linear-webhooks", name);
  return JSON.parse(readFileSync(path, "utf8")) as Delivery;
}

// Read on first use: importing the dev stack (make dev included) should not touch test data.
let recordings:
  | { created: Delivery; prompted: Delivery & { agentActivity?: Record<string, unknown> } }
  | undefined;
function recordedDeliveries() {
  recordings ??= {
    created: recorded("agent-session-event.created.json"),
    prompted: recorded("agent-session-event.prompted.json"),
  };
  return recordings;
}

/** The Linear user who delegates in these deliveries (a test links it to a tenant member). */
export const LINEAR_REQUESTER = "5b0f3c1e-8a7d-4e2b-9c61-2f4d7a9e0b13";

export interface DelegatedIssue {
  issueId: string;
  teamId: string;
}

/** How the issue's team shows in the delivery: "ENG" / "Engineering" gives the identifier ENG-1. */
export interface IssueTeam {
  key: string;
  name: string;
}

/** `created`: the requester delegated `issue` to the app, opening the agent session `agentSessionId`. */
export function linearDelegation(
  linear: LinearDouble,
  issue: DelegatedIssue,
  agentSessionId: string,
  team: IssueTeam,
): Delivery {
  const { created } = recordedDeliveries();
  const session = created.agentSession;
  const identifier = `${team.key}-1`;
  return {
    ...created,
    organizationId: linear.state.organization.id,
    appUserId: linear.state.appUserId,
    promptContext: null,
    agentSession: {
      ...session,
      id: agentSessionId,
      issueId: issue.issueId,
      type: "issue",
      sourceMetadata: null,
      comment: null,
      creatorId: LINEAR_REQUESTER,
      creator: { ...(session.creator as object), id: LINEAR_REQUESTER },
      issue: {
        ...(session.issue as object),
        id: issue.issueId,
        identifier,
        url: `https://linear.app/acme/issue/${identifier}/add-a-changelog`,
        title: "Add a changelog",
        description: "Please add docs/CHANGELOG.md that lists what changed.",
        teamId: issue.teamId,
        team: { id: issue.teamId, ...team },
      },
    },
  };
}

/** `prompted`: the requester's follow-up `body` in the agent session, or its stop signal. */
export function linearFollowUp(
  linear: LinearDouble,
  issueId: string,
  agentSessionId: string,
  body: string,
  signal?: "stop",
): Delivery {
  const { prompted } = recordedDeliveries();
  return {
    ...prompted,
    organizationId: linear.state.organization.id,
    agentSession: { ...prompted.agentSession, id: agentSessionId, issueId },
    agentActivity: {
      ...prompted.agentActivity,
      id: crypto.randomUUID(),
      agentSessionId,
      userId: LINEAR_REQUESTER,
      user: { ...(prompted.agentActivity?.user as object), id: LINEAR_REQUESTER },
      content: { type: "prompt", body },
      signal: signal ?? null,
    },
  };
}
