/** Signed GitHub deliveries for workerd tests: the App's secret, GitHub's headers, payload parts shaped like real ones. */
import { GITHUB_APP } from "./github-app-fixture";
import { api } from "./helpers";

export async function signBody(secret: string, body: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(body)));
  return `sha256=${[...mac].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

export async function deliverSigned(event: string, payload: unknown, deliveryId = crypto.randomUUID()) {
  const body = JSON.stringify(payload);
  return api("/webhooks/github", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": deliveryId,
      "x-github-hook-installation-target-id": String(GITHUB_APP.id),
      "x-hub-signature-256": await signBody(GITHUB_APP.webhookSecret, body),
    },
    body,
  });
}

export function userJson(id: number, login: string) {
  return { login, id, node_id: `U_${id}`, type: "User", site_admin: false };
}

export function repositoryJson(id: number, owner: string, name: string) {
  return {
    id,
    node_id: `R_${id}`,
    name,
    full_name: `${owner}/${name}`,
    private: true,
    owner: { login: owner, id: 1, type: "Organization" },
    default_branch: "main",
  };
}
