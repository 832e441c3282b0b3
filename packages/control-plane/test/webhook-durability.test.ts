/**
 * Webhook history that stays bounded and triggers that run once (issue 11 §7): the same event
 * delivered again under a new delivery id (same comment, same labelling) starts nothing a second
 * time, and deliveries and trigger keys older than the TTL are pruned by the cron.
 */
import { env } from "cloudflare:workers";
import type { ListSessionsResponse, Session } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { runCron } from "./cron";
import issueComment from "./fixtures/github-webhooks/issue_comment.created.json";
import { GITHUB_APP } from "./github-app-fixture";
import { githubTenant } from "./github-tenant";
import { api, waitFor } from "./helpers";
import { deliverSigned, repositoryJson, userJson } from "./webhook-fixtures";

const DAY_MS = 24 * 60 * 60_000;
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

function labeled(number: number, title: string, updatedAt: string) {
  return {
    action: "labeled",
    issue: { number, title, body: "", state: "open", labels: [], updated_at: updatedAt },
    label: { id: 1, name: "agent" },
    repository: repositoryJson(9001, "acme", "widgets"),
    sender: userJson(583231, "octocat"),
    installation: { id: 77 },
  };
}

async function sessionsTitled(tenant: Awaited<ReturnType<typeof githubTenant>>, title: string) {
  const res = await api("/api/v1/sessions?limit=100", {}, tenant);
  return ((await res.json()) as ListSessionsResponse).sessions.filter((s: Session) => s.title === title);
}

describe("trigger idempotency by payload", () => {
  it("a duplicated label event under a new delivery id starts no second session; labelling again does", async () => {
    const tenant = await githubTenant();
    const title = `Duplicated label ${crypto.randomUUID().slice(0, 8)}`;
    const number = await createIssue(title);
    const payload = labeled(number, title, "2026-12-04T10:00:00Z");
    expect((await deliverSigned("issues", payload, crypto.randomUUID())).status).toBe(202);
    const duplicate = await deliverSigned("issues", payload, crypto.randomUUID());
    expect(duplicate.status).toBe(200);
    expect(await duplicate.json()).toMatchObject({ duplicate: true });
    await waitFor("the issue's session", async () => (await sessionsTitled(tenant, title)).length > 0);

    // Removing the label and adding it again is a new request (GitHub moves updated_at).
    const relabel = await deliverSigned("issues", labeled(number, title, "2026-12-04T11:00:00Z"));
    expect(relabel.status).toBe(202);
    await waitFor(
      "the relabelled issue's session",
      async () => (await sessionsTitled(tenant, title)).length === 2,
    );
    expect(await sessionsTitled(tenant, title)).toHaveLength(2);
  });

  it("a duplicated comment under a new delivery id is answered as a duplicate", async () => {
    const payload = {
      ...issueComment,
      comment: { ...issueComment.comment, id: 700_000_000 + Math.floor(Math.random() * 1e6) },
      installation: { id: 424_242 },
    };
    payload.comment.body = `@${GITHUB_APP.slug} please rebase`;
    const first = await deliverSigned("issue_comment", payload, crypto.randomUUID());
    expect(first.status).toBe(202);
    const second = await deliverSigned("issue_comment", payload, crypto.randomUUID());
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({ duplicate: true });
  });
});

describe("webhook history TTL", () => {
  it("the cron prunes deliveries and trigger keys older than 7 days and keeps recent ones", async () => {
    const now = Date.now();
    const old = now - 8 * DAY_MS;
    const recent = now - DAY_MS;
    const insert = (sql: string, ...values: unknown[]) => env.DB.prepare(sql).bind(...values);
    const oldIds = Array.from({ length: 30 }, (_, i) => `old-${i}-${crypto.randomUUID()}`);
    const recentId = `recent-${crypto.randomUUID()}`;
    await env.DB.batch([
      ...oldIds.map((id) =>
        insert(
          "INSERT INTO github_webhook_deliveries (delivery_id, event, received_at) VALUES (?, 'issues', ?)",
          id,
          old,
        ),
      ),
      insert(
        "INSERT INTO github_webhook_deliveries (delivery_id, event, received_at) VALUES (?, 'issues', ?)",
        recentId,
        recent,
      ),
      insert("INSERT INTO github_trigger_keys (key, claimed_at) VALUES (?, ?)", `old-key-${recentId}`, old),
      insert(
        "INSERT INTO github_trigger_keys (key, claimed_at) VALUES (?, ?)",
        `recent-key-${recentId}`,
        recent,
      ),
    ]);
    await runCron();
    const deliveries = await env.DB.prepare(
      "SELECT delivery_id AS id FROM github_webhook_deliveries WHERE received_at < ?",
    )
      .bind(now - 7 * DAY_MS)
      .all<{ id: string }>();
    expect(deliveries.results).toEqual([]);
    const kept = await env.DB.prepare(
      "SELECT delivery_id FROM github_webhook_deliveries WHERE delivery_id = ?",
    )
      .bind(recentId)
      .all();
    expect(kept.results).toHaveLength(1);
    const keys = await env.DB.prepare("SELECT key FROM github_trigger_keys WHERE key LIKE ?")
      .bind(`%${recentId}`)
      .all<{ key: string }>();
    expect(keys.results.map((k) => k.key)).toEqual([`recent-key-${recentId}`]);
  });
});
