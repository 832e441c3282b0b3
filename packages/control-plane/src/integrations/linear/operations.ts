/**
 * The GraphQL operations Nightshift sends Linear, each a small typed function over `graphql`
 * (api-client.ts): who the app is at install, agent activities, the session's external URLs, the
 * issue's state and its PR attachment.
 */
import { z } from "zod";
import { graphql, LinearApiError } from "./api-client";

/** What an activity says, in Linear's content shapes (AgentActivity*Content). */
export type ActivityContent =
  | { type: "thought"; body: string }
  | { type: "action"; action: string; parameter: string; result?: string }
  | { type: "response"; body: string }
  | { type: "error"; body: string }
  | { type: "elicitation"; body: string };

export interface LinearCaller {
  apiUrl: string;
  token: string;
}

function expect<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
  const parsed = schema.safeParse(data);
  if (!parsed.success)
    throw new LinearApiError(`Linear's ${what} answer was not what was asked`, "transient");
  return parsed.data;
}

const Identity = z.object({
  viewer: z.object({ id: z.string().min(1) }),
  organization: z.object({ id: z.string().min(1), name: z.string().max(500) }),
});

/** The app's user and the organization a fresh token belongs to. */
export async function appIdentity(caller: LinearCaller): Promise<z.infer<typeof Identity>> {
  const data = await graphql(
    caller.apiUrl,
    caller.token,
    "query { viewer { id } organization { id name } }",
    {},
  );
  return expect(Identity, data, "viewer");
}

/**
 * Linear's `auth` signal on an elicitation: Linear shows `url` as an account-linking button to
 * `userId` alone, until the agent's next activity.
 */
export interface AuthSignal {
  signal: "auth";
  signalMetadata: { url: string; userId: string; providerName: string };
}

/**
 * Posts an activity. `id` makes it idempotent: the outbox may send the same task again after a
 * timeout whose request did arrive, and Linear then keeps one.
 */
export async function createActivity(
  caller: LinearCaller,
  agentSessionId: string,
  content: ActivityContent,
  id: string,
  signal?: AuthSignal,
): Promise<void> {
  await graphql(
    caller.apiUrl,
    caller.token,
    "mutation($input: AgentActivityCreateInput!) { agentActivityCreate(input: $input) { success } }",
    { input: { id, agentSessionId, content, ...signal } },
  );
}

/** Adds the PR (and the session in the dashboard) to the agent session's external URLs. */
export async function addSessionUrls(
  caller: LinearCaller,
  agentSessionId: string,
  urls: { label: string; url: string }[],
): Promise<void> {
  await graphql(
    caller.apiUrl,
    caller.token,
    "mutation($id: String!, $input: AgentSessionUpdateInput!) { agentSessionUpdate(id: $id, input: $input) { success } }",
    { id: agentSessionId, input: { addedExternalUrls: urls } },
  );
}

export async function linkUrlOnIssue(
  caller: LinearCaller,
  issueId: string,
  url: string,
  title: string,
): Promise<void> {
  await graphql(
    caller.apiUrl,
    caller.token,
    "mutation($issueId: String!, $url: String!, $title: String) { attachmentLinkURL(issueId: $issueId, url: $url, title: $title) { success } }",
    { issueId, url, title },
  );
}

const IssueText = z.object({
  issue: z.object({
    identifier: z.string().nullish(),
    title: z.string().max(2_000),
    description: z.string().max(60_000).nullish(),
  }),
});

/** The issue's identifier, title and description (the task, when a session starts from a reply). */
export async function issueText(caller: LinearCaller, issueId: string): Promise<string> {
  const data = await graphql(
    caller.apiUrl,
    caller.token,
    "query($id: String!) { issue(id: $id) { identifier title description } }",
    { id: issueId },
  );
  const { issue } = expect(IssueText, data, "issue");
  const heading = issue.identifier ? `${issue.identifier}: ${issue.title}` : issue.title;
  return [heading, issue.description?.trim()].filter(Boolean).join("\n\n");
}

const IssueStates = z.object({
  issue: z.object({
    state: z.object({ type: z.string() }),
    team: z.object({
      states: z.object({
        nodes: z.array(z.object({ id: z.string(), type: z.string(), position: z.number() })),
      }),
    }),
  }),
});

/**
 * Linear's guidance for a delegated issue: if it is not already started, completed or canceled,
 * move it to its team's first "started" state (the lowest position). Returns whether it moved.
 */
export async function moveToFirstStartedState(caller: LinearCaller, issueId: string): Promise<boolean> {
  const data = await graphql(
    caller.apiUrl,
    caller.token,
    "query($id: String!) { issue(id: $id) { state { type } team { states { nodes { id type position } } } } }",
    { id: issueId },
  );
  const { issue } = expect(IssueStates, data, "issue states");
  if (["started", "completed", "canceled"].includes(issue.state.type)) return false;
  const started = issue.team.states.nodes
    .filter((s) => s.type === "started")
    .sort((a, b) => a.position - b.position)[0];
  if (!started) return false;
  await graphql(
    caller.apiUrl,
    caller.token,
    "mutation($id: String!, $input: IssueUpdateInput!) { issueUpdate(id: $id, input: $input) { success } }",
    { id: issueId, input: { stateId: started.id } },
  );
  return true;
}
