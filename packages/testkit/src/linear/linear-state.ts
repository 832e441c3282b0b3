/**
 * What the Linear double remembers: one organization with its app user, teams and their workflow
 * states, issues, the OAuth clients' codes and tokens (access tokens expire; refresh tokens rotate),
 * and every agent activity, session update, issue update and attachment a client made.
 */
import { randomBytes, randomUUID } from "node:crypto";

export interface WorkflowState {
  id: string;
  name: string;
  type: "backlog" | "unstarted" | "started" | "completed" | "canceled" | "triage";
  position: number;
}

export interface LinearDoubleOptions {
  clientId: string;
  clientSecret: string;
  organization?: { id: string; name: string };
  appUserId?: string;
  /** Access token lifetime in seconds (Linear's default is about a day). */
  accessTokenTtlSeconds?: number;
}

export interface ActivityRecord {
  id: string;
  agentSessionId: string;
  content: { type: string; [key: string]: unknown };
  /** Linear's AgentActivitySignal (`auth` for an account-linking elicitation) and its metadata. */
  signal?: string;
  signalMetadata?: Record<string, unknown>;
  at: number;
}

export interface Recorded {
  activities: ActivityRecord[];
  sessionUpdates: { id: string; input: Record<string, unknown>; at: number }[];
  issueUpdates: { id: string; input: Record<string, unknown>; at: number }[];
  attachments: { issueId: string; url: string; title: string | null; at: number }[];
  tokenGrants: { grantType: string; at: number }[];
}

export class LinearState {
  readonly organization: { id: string; name: string };
  readonly appUserId: string;
  /** Team id → workflow states; every issue belongs to a team. */
  readonly teams = new Map<string, WorkflowState[]>();
  readonly issues = new Map<
    string,
    { teamId: string; stateId: string; title: string; description: string }
  >();
  readonly codes = new Set<string>();
  readonly accessTokens = new Map<string, number>();
  readonly refreshTokens = new Set<string>();
  readonly recorded: Recorded = {
    activities: [],
    sessionUpdates: [],
    issueUpdates: [],
    attachments: [],
    tokenGrants: [],
  };

  readonly options: LinearDoubleOptions;

  constructor(options: LinearDoubleOptions) {
    this.options = options;
    this.organization = options.organization ?? { id: randomUUID(), name: "Acme" };
    this.appUserId = options.appUserId ?? randomUUID();
  }

  /** A code the authorize page would hand the browser. */
  issueCode(): string {
    const code = randomBytes(12).toString("hex");
    this.codes.add(code);
    return code;
  }

  mintTokens(now: number): {
    access_token: string;
    refresh_token: string;
    expires_in: number;
    token_type: string;
    scope: string;
  } {
    const ttl = this.options.accessTokenTtlSeconds ?? 86_399;
    const access = `lin_oauth_${randomBytes(16).toString("hex")}`;
    const refresh = `lin_refresh_${randomBytes(16).toString("hex")}`;
    this.accessTokens.set(access, now + ttl * 1000);
    this.refreshTokens.add(refresh);
    return {
      access_token: access,
      refresh_token: refresh,
      expires_in: ttl,
      token_type: "Bearer",
      scope: "read,write,app:assignable,app:mentionable",
    };
  }

  /** Adds a team with Linear's default workflow and an issue in its backlog; returns the issue id. */
  addIssue(
    teamId: string = randomUUID(),
    text: { title: string; description: string } = { title: "An issue", description: "" },
  ): { issueId: string; teamId: string } {
    if (!this.teams.has(teamId))
      this.teams.set(teamId, [
        { id: randomUUID(), name: "Backlog", type: "backlog", position: 0 },
        { id: randomUUID(), name: "Todo", type: "unstarted", position: 1 },
        { id: randomUUID(), name: "In Review", type: "started", position: 3 },
        { id: randomUUID(), name: "In Progress", type: "started", position: 2 },
        { id: randomUUID(), name: "Done", type: "completed", position: 4 },
      ]);
    const issueId = randomUUID();
    const backlog = this.teams.get(teamId)?.[0];
    this.issues.set(issueId, { teamId, stateId: backlog?.id ?? "", ...text });
    return { issueId, teamId };
  }

  stateOf(issueId: string): WorkflowState | null {
    const issue = this.issues.get(issueId);
    if (!issue) return null;
    return this.teams.get(issue.teamId)?.find((s) => s.id === issue.stateId) ?? null;
  }
}
