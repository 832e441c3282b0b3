/**
 * The double's GraphQL endpoint: the operations Nightshift sends, recognised by their root field
 * (this is not a GraphQL engine; it answers the documents Linear's schema allows for them), with
 * Linear's error shape `{ errors: [{ message, extensions: { code } }] }`: 401 AUTHENTICATION_ERROR
 * for a missing, unknown or expired token, 400 RATELIMITED (Linear's rate limit), 400
 * INVALID_INPUT, 500 INTERNAL_SERVER_ERROR for an injected outage.
 */
import type { LinearState } from "./linear-state";

export interface GraphqlReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export function graphqlError(status: number, code: string, message: string): GraphqlReply {
  return { status, body: { errors: [{ message, extensions: { code, userPresentableMessage: message } }] } };
}

type Vars = Record<string, unknown>;

function obj(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

const CONTENT_TYPES = new Set(["thought", "action", "response", "error", "elicitation"]);

export function runOperation(state: LinearState, query: string, variables: Vars, now: number): GraphqlReply {
  if (/\bagentActivityCreate\s*\(/.test(query)) {
    const input = obj(variables.input);
    const content = obj(input.content);
    if (typeof input.agentSessionId !== "string" || !CONTENT_TYPES.has(String(content.type)))
      return graphqlError(400, "INVALID_INPUT", "agentSessionId and a known content type are required");
    const id = typeof input.id === "string" ? input.id : crypto.randomUUID();
    // The optional id makes the mutation idempotent, as Linear's does.
    if (!state.recorded.activities.some((a) => a.id === id))
      state.recorded.activities.push({
        id,
        agentSessionId: input.agentSessionId,
        content: content as { type: string },
        ...(typeof input.signal === "string" ? { signal: input.signal } : {}),
        ...(input.signalMetadata !== undefined ? { signalMetadata: obj(input.signalMetadata) } : {}),
        at: now,
      });
    return { status: 200, body: { data: { agentActivityCreate: { success: true, agentActivity: { id } } } } };
  }
  if (/\bagentSessionUpdate\s*\(/.test(query)) {
    state.recorded.sessionUpdates.push({ id: String(variables.id), input: obj(variables.input), at: now });
    return { status: 200, body: { data: { agentSessionUpdate: { success: true } } } };
  }
  if (/\battachmentLinkURL\s*\(/.test(query)) {
    const issueId = String(variables.issueId);
    if (!state.issues.has(issueId)) return graphqlError(400, "INVALID_INPUT", "Entity not found: Issue");
    state.recorded.attachments.push({
      issueId,
      url: String(variables.url),
      title: typeof variables.title === "string" ? variables.title : null,
      at: now,
    });
    return { status: 200, body: { data: { attachmentLinkURL: { success: true } } } };
  }
  if (/\bissueUpdate\s*\(/.test(query)) {
    const id = String(variables.id);
    const issue = state.issues.get(id);
    if (!issue) return graphqlError(400, "INVALID_INPUT", "Entity not found: Issue");
    const input = obj(variables.input);
    if (typeof input.stateId === "string") issue.stateId = input.stateId;
    state.recorded.issueUpdates.push({ id, input, at: now });
    return { status: 200, body: { data: { issueUpdate: { success: true } } } };
  }
  if (/\bissue\s*\(/.test(query)) {
    const id = String(variables.id);
    const issue = state.issues.get(id);
    if (!issue) return graphqlError(400, "INVALID_INPUT", "Entity not found: Issue");
    const current = state.stateOf(id);
    return {
      status: 200,
      body: {
        data: {
          issue: {
            id,
            identifier: `ENG-${[...state.issues.keys()].indexOf(id) + 1}`,
            title: issue.title,
            description: issue.description,
            state: current ? { id: current.id, type: current.type } : null,
            team: { id: issue.teamId, states: { nodes: state.teams.get(issue.teamId) ?? [] } },
          },
        },
      },
    };
  }
  if (/\bviewer\b/.test(query))
    return {
      status: 200,
      body: { data: { viewer: { id: state.appUserId }, organization: state.organization } },
    };
  return graphqlError(400, "GRAPHQL_VALIDATION_FAILED", "the double does not know this operation");
}
