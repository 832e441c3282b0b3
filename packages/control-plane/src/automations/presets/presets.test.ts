/**
 * The Sentry and GitHub Actions presets on realistic deliveries (fixtures/README.md says where
 * each payload comes from), their skips, and their default templates rendered end to end.
 */
import { parseTemplate, renderTemplate } from "@nightshift/protocol";
import { describe, expect, it } from "vitest";
import failedRun from "./fixtures/github-workflow_run.completed.failure.json";
import succeededRun from "./fixtures/github-workflow_run.completed.success.json";
import requestedRun from "./fixtures/github-workflow_run.requested.json";
import sentryAlert from "./fixtures/sentry-event_alert.triggered.json";
import { GITHUB_ACTIONS_DEFAULT_TEMPLATE, githubActionsRun, isCheckoutableBranch } from "./github-actions";
import { SENTRY_DEFAULT_TEMPLATE, sentryRun } from "./sentry";

function clone<T>(value: T): T {
  return structuredClone(value);
}

function render(source: string, vars: Record<string, string>): string {
  const template = parseTemplate(source);
  if (!template.ok) throw new Error(template.error.message);
  return renderTemplate(template.template, {}, { preset: vars });
}

describe("sentryRun", () => {
  it("reads Sentry's documented issue alert: title, culprit, link, level, project", () => {
    const run = sentryRun(sentryAlert);
    expect(run).toEqual({
      ok: true,
      triggerId: "sentry-issue:1117540176",
      vars: {
        title: "ReferenceError: heck is not defined",
        culprit: "?(<anonymous>)",
        url: "https://sentry.io/organizations/test-org/issues/1117540176/events/e4874d664c3540c1a32eab185f12c5ab/",
        level: "error",
        project: "front-end",
        issueId: "1117540176",
        eventId: "e4874d664c3540c1a32eab185f12c5ab",
        error: "ReferenceError: heck is not defined",
        platform: "javascript",
        environment: "",
        rule: "Very Important Alert Rule!",
      },
    });
  });

  it("the default template names the title, the culprit and the link", () => {
    const run = sentryRun(sentryAlert);
    if (!run.ok) throw new Error(run.skip);
    const prompt = render(SENTRY_DEFAULT_TEMPLATE, run.vars);
    expect(prompt).toContain("Sentry reported an error in front-end (level: error):");
    expect(prompt).toContain("\nReferenceError: heck is not defined\n");
    expect(prompt).toContain("Where: ?(<anonymous>)");
    expect(prompt).toContain(
      "Sentry issue: https://sentry.io/organizations/test-org/issues/1117540176/events/",
    );
    expect(prompt).not.toContain("{{");
  });

  it("falls back to the event id, the project id and the issue's API link", () => {
    const alert = clone(sentryAlert) as { data: { event: Record<string, unknown> } };
    delete alert.data.event.issue_id;
    delete alert.data.event.web_url;
    alert.data.event.url = "not a url";
    const run = sentryRun(alert);
    expect(run.ok && run.triggerId).toBe("sentry-event:e4874d664c3540c1a32eab185f12c5ab");
    expect(run.ok && run.vars.project).toBe("1");
    expect(run.ok && run.vars.url).toBe("https://sentry.io/api/0/issues/1117540176/");
  });

  it("drops a link that is not http(s), so a prompt never carries javascript: or file: URLs", () => {
    const alert = clone(sentryAlert) as { data: { event: Record<string, unknown> } };
    alert.data.event.web_url = "javascript:alert(1)";
    alert.data.event.issue_url = "file:///etc/passwd";
    const run = sentryRun(alert);
    expect(run.ok && run.vars.url).toBe("");
  });

  it("accepts a numeric issue id", () => {
    const alert = clone(sentryAlert) as { data: { event: Record<string, unknown> } };
    alert.data.event.issue_id = 42;
    const run = sentryRun(alert);
    expect(run.ok && run.triggerId).toBe("sentry-issue:42");
  });

  it.each([
    [
      "a resolved alert",
      { ...sentryAlert, action: "resolved" },
      "the Sentry alert was resolved, not triggered",
    ],
    ["an issue webhook", { action: "created", data: { issue: { id: "1" } } }, "not a Sentry issue alert"],
    ["a metric alert", { action: "critical", data: { metric_alert: {} } }, "not a Sentry issue alert"],
    ["JSON that is not an object", [1, 2, 3], "not a Sentry issue alert"],
    ["null", null, "not a Sentry issue alert"],
    [
      "an event with no ids",
      { action: "triggered", data: { event: { title: "x" } } },
      "neither an issue nor an event",
    ],
  ])("skips %s with a reason", (_, payload, reason) => {
    const run = sentryRun(payload);
    expect(run.ok).toBe(false);
    expect(!run.ok && run.skip).toContain(reason);
  });

  it("caps a huge title before it reaches the prompt", () => {
    const alert = clone(sentryAlert) as { data: { event: Record<string, unknown> } };
    alert.data.event.title = "x".repeat(100_000);
    const run = sentryRun(alert);
    expect(run.ok && run.vars.title.length).toBe(2_000);
  });
});

describe("githubActionsRun", () => {
  it("reads a failed run: repository, branch, run link, workflow, head sha; one trigger per attempt", () => {
    const run = githubActionsRun(failedRun);
    expect(run).toEqual({
      ok: true,
      triggerId: "github-run:289782451:2",
      repo: { owner: "octo-org", name: "octo-repo" },
      branch: "fix-login-redirect",
      vars: {
        repo: "octo-org/octo-repo",
        branch: "fix-login-redirect",
        sha: "3484a3fb816e0859fd6e1cea078d76385ff50625",
        runUrl: "https://github.com/octo-org/octo-repo/actions/runs/289782451",
        workflow: "test",
        workflowPath: ".github/workflows/test.yml",
        runId: "289782451",
        attempt: "2",
        runNumber: "163",
        event: "repository_dispatch",
        title: "Fix the login redirect loop",
        defaultBranch: "master",
      },
    });
  });

  it("the default template names the workflow, the branch, the commit and the run", () => {
    const run = githubActionsRun(failedRun);
    if (!run.ok) throw new Error(run.skip);
    const prompt = render(GITHUB_ACTIONS_DEFAULT_TEMPLATE, run.vars);
    expect(prompt).toContain(
      'The GitHub Actions workflow "test" failed on branch fix-login-redirect of octo-org/octo-repo (commit 3484a3fb816e0859fd6e1cea078d76385ff50625, attempt 2).',
    );
    expect(prompt).toContain("Failed run: https://github.com/octo-org/octo-repo/actions/runs/289782451");
    expect(prompt).toContain("read the workflow file .github/workflows/test.yml and run");
  });

  it("a run without run_attempt is attempt 1; a named run uses its own name", () => {
    const payload = clone(failedRun) as { workflow_run: Record<string, unknown> };
    delete payload.workflow_run.run_attempt;
    payload.workflow_run.name = "CI";
    const run = githubActionsRun(payload);
    expect(run.ok && run.triggerId).toBe("github-run:289782451:1");
    expect(run.ok && run.vars.workflow).toBe("CI");
  });

  it.each([
    ["a successful run", succeededRun, "the workflow run concluded success, not failure"],
    ["a requested run", requestedRun, "the workflow run was requested, not completed"],
    [
      "a cancelled run",
      { ...failedRun, workflow_run: { ...failedRun.workflow_run, conclusion: "cancelled" } },
      "concluded cancelled",
    ],
    [
      "a run with no conclusion",
      { ...failedRun, workflow_run: { ...failedRun.workflow_run, conclusion: null } },
      "without a conclusion",
    ],
    [
      "GitHub's ping",
      { zen: "Keep it logically awesome.", hook_id: 1, hook: { type: "Repository" } },
      "GitHub's ping",
    ],
    [
      "a push event",
      { ref: "refs/heads/main", repository: { full_name: "a/b" } },
      "not a GitHub workflow_run event",
    ],
    ["a string", "completed", "not a GitHub workflow_run event"],
  ])("skips %s with a reason", (_, payload, reason) => {
    const run = githubActionsRun(payload);
    expect(run.ok).toBe(false);
    expect(!run.ok && run.skip).toContain(reason);
  });

  it("skips a failing run for a fork's branch (an outsider's pull request)", () => {
    const payload = clone(failedRun) as { workflow_run: { head_repository: { full_name: string } } };
    payload.workflow_run.head_repository.full_name = "mallory/octo-repo";
    const run = githubActionsRun(payload);
    expect(!run.ok && run.skip).toContain("a branch in the fork mallory/octo-repo");
  });

  it.each([
    "main; rm -rf /",
    "a..b",
    "-branch",
    "refs/heads/x:y",
    "x\ny",
    "a b",
    "topic.lock",
    "",
    "x".repeat(256),
  ])("skips a run whose branch %j a session cannot check out", (branch) => {
    const run = githubActionsRun({
      ...failedRun,
      workflow_run: { ...failedRun.workflow_run, head_branch: branch },
    });
    expect(!run.ok && run.skip).toContain("no branch a session can check out");
  });

  it("skips a repository name that is not owner/name", () => {
    const run = githubActionsRun({
      ...failedRun,
      repository: { ...failedRun.repository, full_name: "../../etc" },
    });
    expect(!run.ok && run.skip).toContain("not owner/name");
  });
});

describe("isCheckoutableBranch", () => {
  it.each([
    "main",
    "feature/login",
    "renovate/npm-zod-4.x",
    "release-1.2.3",
    "dependabot/npm_and_yarn/a-1.0",
  ])("accepts %s", (name) => {
    expect(isCheckoutableBranch(name)).toBe(true);
  });
  it.each(["@", "a@{1}", "a//b", "a/", "a.", "x~1", "x^", "x?", "x*", "x[", "x\\y", "x\u007f"])(
    "refuses %j",
    (name) => {
      expect(isCheckoutableBranch(name)).toBe(false);
    },
  );
});
