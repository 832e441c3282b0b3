/** The benches' calls to the devstack's public API, as a signed-in user of its tenant. */
import type { Stack } from "@nightshift/devstack";

/** POSTs JSON and returns the answer (a created resource's id); a refusal throws with the API's message. */
export async function postJson(stack: Stack, path: string, body: unknown): Promise<{ id: string }> {
  const res = await fetch(`${stack.url}${path}`, {
    method: "POST",
    headers: stack.headers,
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<{ id: string }>;
}
