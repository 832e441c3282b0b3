/**
 * PRs merged, for analytics: a signed `pull_request` closed+merged delivery whose head branch is
 * a session's branch in the same repository marks that session's PR merged (once); a fork's
 * branch of the same name, or a PR closed without merging, does not. Real Worker, D1 and webhook
 * signature; the session row is written as createSession writes it.
 */
import { env } from "cloudflare:workers";
import type { AnalyticsReport } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/client";
import { insertSession } from "../src/db/repositories/sessions";
import type { Bindings } from "../src/env";
import { newSessionId } from "../src/services/sessions";
import { githubTenant, INSTALLATION_ID, REPOS } from "./github-tenant";
import { api, type Identity, waitFor } from "./helpers";
import { deliverSigned, repositoryJson, userJson } from "./webhook-fixtures";

const WIDGETS = REPOS[0] as (typeof REPOS)[number];

async function githubSession(owner: Identity): Promise<{ id: string; branch: string }> {
  const id = newSessionId();
  const branch = `nightshift/merge-${id.slice(-8)}`;
  await insertSession(openDatabase((env as unknown as Bindings).DB), owner.tenantId, {
    id,
    title: "Merge me",
    repo: { kind: "github", owner: WIDGETS.owner, name: WIDGETS.name },
    agent: "claude-code",
    model: null,
    status: "idle",
    trigger: "api",
    createdBy: owner.userId,
    branch,
    createdAt: new Date().toISOString(),
  });
  return { id, branch };
}

function closedPayload(branch: string, opts: { merged: boolean; headRepoId?: number; number?: number }) {
  const repository = repositoryJson(WIDGETS.id, WIDGETS.owner, WIDGETS.name);
  return {
    action: "closed",
    number: opts.number ?? 42,
    pull_request: {
      number: opts.number ?? 42,
      state: "closed",
      merged: opts.merged,
      merged_at: opts.merged ? new Date().toISOString() : null,
      head: {
        ref: branch,
        repo:
          opts.headRepoId === WIDGETS.id
            ? repository
            : repositoryJson(opts.headRepoId ?? 1, "fork", "widgets"),
      },
      base: { ref: "main", repo: repository },
    },
    repository,
    installation: { id: INSTALLATION_ID },
    sender: userJson(583231, "octocat"),
  };
}

async function mergeOf(sessionId: string) {
  return (env as unknown as Bindings).DB.prepare(
    "SELECT pull_number, merged_at FROM session_pull_merges WHERE session_id = ?",
  )
    .bind(sessionId)
    .first<{ pull_number: number; merged_at: string }>();
}

async function mergedInReport(owner: Identity): Promise<number> {
  const res = await api(`/api/v1/tenants/${owner.tenantId}/analytics?groupBy=repo`, {}, owner);
  return ((await res.json()) as AnalyticsReport).totals.prsMerged;
}

describe("PRs merged (GitHub pull_request webhooks)", () => {
  it("marks the session's PR merged when its branch is merged, once however often GitHub delivers it", async () => {
    const owner = await githubTenant();
    const before = await mergedInReport(owner);
    const session = await githubSession(owner);
    const payload = closedPayload(session.branch, { merged: true, headRepoId: WIDGETS.id, number: 77 });
    expect((await deliverSigned("pull_request", payload)).status).toBe(202);
    const merge = await waitFor("the merge record", () => mergeOf(session.id));
    expect(merge.pull_number).toBe(77);
    expect((await deliverSigned("pull_request", payload)).status).toBe(202);
    expect(await mergedInReport(owner)).toBe(before + 1);
  });

  it("ignores a fork's pull request whose branch has a session's name (fork branch-name spoof attack)", async () => {
    const owner = await githubTenant();
    const session = await githubSession(owner);
    const spoof = closedPayload(session.branch, { merged: true, headRepoId: 31337 });
    expect((await deliverSigned("pull_request", spoof)).status).toBe(202);
    // A merge delivered after the spoof is recorded, so the spoof had its chance to be.
    const other = await githubSession(owner);
    await deliverSigned(
      "pull_request",
      closedPayload(other.branch, { merged: true, headRepoId: WIDGETS.id }),
    );
    await waitFor("the genuine merge", () => mergeOf(other.id));
    expect(await mergeOf(session.id)).toBeNull();
  });

  it("ignores a pull request closed without merging", async () => {
    const owner = await githubTenant();
    const session = await githubSession(owner);
    await deliverSigned(
      "pull_request",
      closedPayload(session.branch, { merged: false, headRepoId: WIDGETS.id }),
    );
    const other = await githubSession(owner);
    await deliverSigned(
      "pull_request",
      closedPayload(other.branch, { merged: true, headRepoId: WIDGETS.id }),
    );
    await waitFor("the later merge", () => mergeOf(other.id));
    expect(await mergeOf(session.id)).toBeNull();
  });
});
