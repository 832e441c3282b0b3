/**
 * The presets through the real ingress: a Sentry issue alert signed with sentry-hook-signature
 * and a GitHub Actions `workflow_run` failure signed with x-hub-signature-256 each start a session;
 * the GitHub one works on the failing branch (its own, or a new branch with a PR into the default
 * branch when that is what failed), on a repository the acting member can push to.
 */
import type { AutomationTestResult } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import failedRun from "../src/automations/presets/fixtures/github-workflow_run.completed.failure.json";
import succeededRun from "../src/automations/presets/fixtures/github-workflow_run.completed.success.json";
import sentryAlert from "../src/automations/presets/fixtures/sentry-event_alert.triggered.json";
import {
  automationsPath,
  createAutomation,
  deliver,
  expectJson,
  githubHeaders,
  runOnceSettled,
  sentryHeaders,
  sessionOnceCreated,
  webhookBody,
} from "./automations-support";
import { githubTenant } from "./github-tenant";
import { api, createTenant, postJson } from "./helpers";

/** The failure fixture moved onto the GitHub double's acme/widgets (default branch main). */
function failureOn(branch: string): unknown {
  const run = structuredClone(failedRun) as {
    repository: Record<string, unknown>;
    workflow_run: Record<string, unknown> & { head_repository: Record<string, unknown> };
  };
  run.repository.full_name = "acme/widgets";
  run.repository.default_branch = "main";
  run.workflow_run.head_branch = branch;
  run.workflow_run.head_repository.full_name = "acme/widgets";
  return run;
}

describe("Sentry preset", () => {
  it("an issue alert signed with the client secret starts a session with the issue in the prompt", async () => {
    const owner = await createTenant("preset-sentry");
    // Sentry issues the client secret; the automation is given it (and does not show it back).
    const secret = "sentry-client-secret-0123456789abcdef";
    const { automation, secret: shown } = await createAutomation(
      owner,
      webhookBody({ name: "Sentry", trigger: { kind: "sentry" }, promptTemplate: "", secret }),
    );
    expect(shown).toBeUndefined();
    const body = JSON.stringify(sentryAlert);
    const dry = await expectJson<AutomationTestResult>(
      await postJson(automationsPath(owner, `/${automation.id}/test`), { payload: sentryAlert }, {}, owner),
      200,
    );
    const title = (sentryAlert as { data: { event: { title: string } } }).data.event.title;
    expect(dry.matched).toBe(true);
    expect(dry.prompt).toContain(title);
    const forged = await deliver(automation.id, body, await sentryHeaders("not-the-client-secret", body));
    expect(forged.status).toBe(401);
    const res = await deliver(automation.id, body, await sentryHeaders(secret, body));
    const { sessionId } = await expectJson<{ sessionId: string }>(res, 202);
    const session = await sessionOnceCreated(owner, sessionId);
    expect(session.title).toContain(title.slice(0, 20));
    // The same issue alerting again is the same run (the preset's natural id), not a second session.
    const again = await deliver(automation.id, body, await sentryHeaders(secret, body));
    expect(await expectJson(again, 200)).toMatchObject({ duplicate: true });
  });
});

describe("GitHub Actions preset", () => {
  async function actionsAutomation() {
    const owner = await githubTenant();
    return {
      owner,
      ...(await createAutomation(
        owner,
        webhookBody({
          name: `CI fixer ${crypto.randomUUID().slice(0, 6)}`,
          trigger: { kind: "github_actions" },
          repo: { mode: "payload", path: "payload.repository.full_name" },
          promptTemplate: "",
        }),
      )),
    };
  }

  it("a failed run on a feature branch starts a session that pushes to that branch", async () => {
    const { owner, automation, secret } = await actionsAutomation();
    const body = JSON.stringify(failureOn("fix-login-redirect"));
    const forged = await deliver(automation.id, body, await githubHeaders("wrong-secret", body));
    expect(forged.status).toBe(401);
    const res = await deliver(automation.id, body, await githubHeaders(secret ?? "", body));
    const { sessionId } = await expectJson<{ sessionId: string }>(res, 202);
    const session = await sessionOnceCreated(owner, sessionId);
    expect(session).toMatchObject({
      trigger: "webhook",
      branch: "fix-login-redirect",
      repo: { kind: "github", owner: "acme", name: "widgets" },
      automation: { id: automation.id },
    });
  });

  it("a failed run on the default branch gets a new branch (a PR into main), never a push to main", async () => {
    const { owner, automation, secret } = await actionsAutomation();
    const body = JSON.stringify(failureOn("main"));
    const res = await deliver(automation.id, body, await githubHeaders(secret ?? "", body));
    const { sessionId } = await expectJson<{ sessionId: string }>(res, 202);
    const session = await sessionOnceCreated(owner, sessionId);
    expect(session.branch).toMatch(/^nightshift\//);
  });

  it("a successful run is skipped with the preset's reason", async () => {
    const { automation, secret } = await actionsAutomation();
    const body = JSON.stringify(succeededRun);
    const res = await deliver(automation.id, body, await githubHeaders(secret ?? "", body));
    expect(await expectJson(res, 200)).toMatchObject({ skipped: expect.any(String) });
  });

  it("a failure on a repository the tenant has not connected fails the run with the reason, and no session appears", async () => {
    const { owner, automation, secret } = await actionsAutomation();
    const body = JSON.stringify(failedRun);
    const res = await deliver(automation.id, body, await githubHeaders(secret ?? "", body));
    // The 202 comes before the session is created; the write check that refuses it runs after.
    const { sessionId, runId } = await expectJson<{ sessionId: string; runId: string }>(res, 202);
    const run = await runOnceSettled(owner, automation.id, runId);
    expect(run).toMatchObject({ outcome: "failed", reason: expect.stringMatching(/not connected/) });
    expect(run.sessionId).toBeUndefined();
    const session = await api(`/api/v1/tenants/${owner.tenantId}/sessions/${sessionId}`, {}, owner);
    expect(session.status).toBe(404);
  });
});
