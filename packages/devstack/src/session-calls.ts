/**
 * The session calls the suites and benchmarks make against a stack, as the dashboard makes them:
 * start a session on a local repository, send it a follow-up, stop it. Each throws with the Worker's answer
 * when it is not the expected status, so a failure says why.
 */
import type { AgentName, Session } from "@nightshift/protocol";

/** Where to call and as whom: a stack's URL and its signed-in user's headers. */
export interface SessionCaller {
  url: string;
  headers: Record<string, string>;
}

/** POST /api/v1/sessions on a repository under the sandbox host's repos root; 201 or it throws. */
export async function createLocalSession(
  caller: SessionCaller,
  repo: string,
  prompt: string,
  agent?: AgentName,
): Promise<Session> {
  const res = await fetch(`${caller.url}/api/v1/sessions`, {
    method: "POST",
    headers: { ...caller.headers, "content-type": "application/json" },
    body: JSON.stringify({ repo: { kind: "local", path: repo }, prompt, ...(agent ? { agent } : {}) }),
  });
  if (res.status !== 201) throw new Error(`creating a session answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Session;
}

/** POST /api/v1/sessions/:id/stop; 202 or it throws. */
export async function stopSession(caller: SessionCaller, sessionId: string): Promise<void> {
  const res = await fetch(`${caller.url}/api/v1/sessions/${sessionId}/stop`, {
    method: "POST",
    headers: caller.headers,
  });
  if (res.status !== 202)
    throw new Error(`stopping session ${sessionId} answered ${res.status}: ${await res.text()}`);
}

/** POST /api/v1/sessions/:id/prompts (a follow-up); 202 or it throws. */
export async function sendPrompt(caller: SessionCaller, sessionId: string, text: string): Promise<void> {
  const res = await fetch(`${caller.url}/api/v1/sessions/${sessionId}/prompts`, {
    method: "POST",
    headers: { ...caller.headers, "content-type": "application/json" },
    body: JSON.stringify({ text }),
  });
  if (res.status !== 202)
    throw new Error(`a follow-up to session ${sessionId} answered ${res.status}: ${await res.text()}`);
}
