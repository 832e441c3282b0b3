/**
 * A GitHub trigger over budget: the labelled issue gets a comment with the budget's figures and no
 * session starts (the check in createSession covers every entry point). Real Worker, D1, signed
 * delivery and the GitHub double.
 */
import { env } from "cloudflare:workers";
import type { ListSessionsResponse } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { githubTenant, INSTALLATION_ID } from "./github-tenant";
import { api, type Identity, waitFor } from "./helpers";
import { deliverSigned, repositoryJson, userJson } from "./webhook-fixtures";

const doubleUrl = () => (env as unknown as { GITHUB_APP_WEB_URL: string }).GITHUB_APP_WEB_URL;

async function createIssue(title: string): Promise<number> {
  const res = await fetch(`${doubleUrl()}/_double/repos/acme/widgets/issues`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ title, body: "", author: "octocat" }),
  });
  if (res.status !== 201) throw new Error(`double refused the issue: ${res.status}`);
  return ((await res.json()) as { number: number }).number;
}

async function comments(issue: number): Promise<{ body: string }[]> {
  return (await (
    await fetch(`${doubleUrl()}/_double/repos/acme/widgets/issues/${issue}/comments`)
  ).json()) as {
    body: string;
  }[];
}

async function putBudget(owner: Identity, budget: Record<string, number>) {
  const res = await api(
    `/api/v1/tenants/${owner.tenantId}/settings/budget`,
    { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(budget) },
    owner,
  );
  expect(res.status).toBe(200);
}

async function sessionCount(owner: Identity): Promise<number> {
  const res = await api("/api/v1/sessions?limit=100", {}, owner);
  return ((await res.json()) as ListSessionsResponse).sessions.length;
}

describe("GitHub triggers over budget", () => {
  it("answers a labelled issue with the budget's figures and starts no session (over-budget trigger attack)", async () => {
    const owner = await githubTenant();
    await putBudget(owner, { monthlyUsd: 0 });
    try {
      const before = await sessionCount(owner);
      const number = await createIssue("Spend more");
      const res = await deliverSigned("issues", {
        action: "labeled",
        issue: { number, title: "Spend more", body: "", state: "open", labels: [] },
        label: { id: 1, name: "agent" },
        repository: repositoryJson(9001, "acme", "widgets"),
        sender: userJson(583231, "octocat"),
        installation: { id: INSTALLATION_ID },
      });
      expect(res.status).toBe(202);
      const [reply] = await waitFor("the budget reply", async () => {
        const all = await comments(number);
        return all.length > 0 ? all : undefined;
      });
      expect(reply?.body).toContain(
        "Hi @octocat, I can't start on this: This tenant's monthly budget is used up",
      );
      expect(reply?.body).toContain("$0.00 spent of $0.00");
      expect(await sessionCount(owner)).toBe(before);
    } finally {
      await putBudget(owner, {});
    }
  });
});
