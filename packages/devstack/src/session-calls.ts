/**
 * The session calls the suites and benchmarks make against a stack, as the dashboard makes them:
 * start a session, send it a follow-up, stop it. Each throws with the Worker's answer when it is not
 * the expected status, so a failure says why.
 */
import type { AgentName, RepoRef, Session } from "@nightshift/protocol";

/** Where to call and as whom: a stack's URL and its signed-in user's headers (and tenant, if chosen). */
export interface SessionCaller {
  url: string;
  headers: Record<string, string>;
  /** Creates sessions in this tenant; without it, in the caller's own (one tenant per dev user). */
  tenantId?: string;
}

/** POSTs `body` as JSON to `path`; the answer when its status is `expected`, else it throws with it. */
async function post(
  caller: SessionCaller,
  path: string,
  body: unknown,
  expected: number,
  what: string,
): Promise<Response> {
  const res = await fetch(`${caller.url}${path}`, {
    method: "POST",
    headers: { ...caller.headers, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (res.status !== expected) throw new Error(`${what} answered ${res.status}: ${await res.text()}`);
  return res;
}

/** Which agent and model run the session; the tenant's defaults when left out. */
export interface SessionChoice {
  agent?: AgentName;
  model?: string;
}

/** POST /api/v1/sessions on `repo`; 201 or it throws. */
export async function createSession(
  caller: SessionCaller,
  repo: RepoRef,
  prompt: string,
  choice: SessionChoice = {},
): Promise<Session> {
  const body = { repo, prompt, ...choice };
  const path = caller.tenantId ? `/api/v1/tenants/${caller.tenantId}/sessions` : "/api/v1/sessions";
  const res = await post(caller, path, body, 201, "creating a session");
  return (await res.json()) as Session;
}

/** A session on a repository under the sandbox host's repos root; 201 or it throws. */
export function createLocalSession(
  caller: SessionCaller,
  repo: string,
  prompt: string,
  choice: SessionChoice = {},
): Promise<Session> {
  return createSession(caller, { kind: "local", path: repo }, prompt, choice);
}

/** POST /api/v1/sessions/:id/stop; 202 or it throws. */
export async function stopSession(caller: SessionCaller, sessionId: string): Promise<void> {
  await post(caller, `/api/v1/sessions/${sessionId}/stop`, undefined, 202, `stopping session ${sessionId}`);
}

/** POST /api/v1/sessions/:id/prompts (a follow-up); 202 or it throws. */
export async function sendPrompt(caller: SessionCaller, sessionId: string, text: string): Promise<void> {
  await post(
    caller,
    `/api/v1/sessions/${sessionId}/prompts`,
    { text },
    202,
    `a follow-up to session ${sessionId}`,
  );
}
