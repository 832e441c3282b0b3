/**
 * The GitHub Actions preset: a repository or organization webhook on `workflow_run`; a run that
 * completed with conclusion `failure` starts a session on that branch to fix the build. The shape
 * is GitHub's `workflow_run` event as octokit/webhooks records it
 * (payload-examples/api.github.com/workflow_run/completed.payload.json). Parsing is loose.
 *
 * Runs for a branch in a fork are declined: anyone can open a pull request from a fork and make
 * its checks fail, and a session started for it would work in this repository with the acting
 * user's write access on a prompt an outsider wrote (the branch name, the commit title).
 */
import { z } from "zod";
import { boundedVar, httpUrl } from "./vars";

const FULL_NAME = /^([A-Za-z0-9_.-]{1,100})\/([A-Za-z0-9_.-]{1,100})$/;
const MAX_BRANCH_CHARS = 255;

const Repository = z.looseObject({ full_name: z.string(), default_branch: z.string().optional() });

const WorkflowRunEvent = z.looseObject({
  action: z.string(),
  workflow_run: z.looseObject({
    id: z.number().int().positive(),
    run_attempt: z.number().int().positive().optional(),
    run_number: z.number().int().optional(),
    name: z.string().nullish(),
    display_title: z.string().nullish(),
    event: z.string().nullish(),
    conclusion: z.string().nullish(),
    head_branch: z.string().nullish(),
    head_sha: z.string(),
    html_url: z.string(),
    head_repository: z.looseObject({ full_name: z.string() }).nullish(),
  }),
  workflow: z.looseObject({ name: z.string().nullish(), path: z.string().nullish() }).nullish(),
  repository: Repository,
});

/** `{{preset.<name>}}` in a GitHub Actions automation's template. */
export type GithubActionsVars = {
  /** owner/name */
  repo: string;
  branch: string;
  sha: string;
  /** The failed run's page (http(s) only, else ""). */
  runUrl: string;
  workflow: string;
  workflowPath: string;
  runId: string;
  attempt: string;
  runNumber: string;
  /** What started the run: push, pull_request, schedule… */
  event: string;
  /** The run's display title (the commit or pull request title). */
  title: string;
  defaultBranch: string;
};

export type GithubActionsRun =
  | {
      ok: true;
      triggerId: string;
      repo: { owner: string; name: string };
      branch: string;
      vars: GithubActionsVars;
    }
  | { ok: false; skip: string };

/** What a workflow_run delivery asks for; one session per run attempt (a re-run that fails again is new). */
export function githubActionsRun(payload: unknown): GithubActionsRun {
  const parsed = WorkflowRunEvent.safeParse(payload);
  if (!parsed.success) {
    const ping = typeof payload === "object" && payload !== null && "zen" in payload && "hook" in payload;
    return {
      ok: false,
      skip: ping
        ? "GitHub's ping: the webhook is set up; failed workflow runs will start sessions"
        : "not a GitHub workflow_run event; set the webhook to send Workflow runs only",
    };
  }
  const { action, workflow_run: run, workflow, repository } = parsed.data;
  if (action !== "completed")
    return { ok: false, skip: `the workflow run was ${boundedVar(action, 40)}, not completed` };
  if (run.conclusion !== "failure")
    return {
      ok: false,
      skip: `the workflow run concluded ${boundedVar(run.conclusion ?? "without a conclusion", 40)}, not failure`,
    };
  const repo = FULL_NAME.exec(repository.full_name);
  if (!repo?.[1] || !repo[2])
    return { ok: false, skip: "the event's repository.full_name is not owner/name" };
  const headRepo = run.head_repository?.full_name;
  if (headRepo !== undefined && headRepo.toLowerCase() !== repository.full_name.toLowerCase())
    return {
      ok: false,
      skip: `the failing run is for a branch in the fork ${boundedVar(headRepo, 200)}; sessions start only for ${repository.full_name}'s own branches`,
    };
  const branch = run.head_branch ?? "";
  if (!isCheckoutableBranch(branch))
    return {
      ok: false,
      skip: "the workflow run has no branch a session can check out (a tag, or an odd name)",
    };
  const attempt = run.run_attempt ?? 1;
  const workflowName = run.name || workflow?.name || workflow?.path || "a workflow";
  const vars: GithubActionsVars = {
    repo: repository.full_name,
    branch,
    sha: boundedVar(run.head_sha, 64),
    runUrl: httpUrl(run.html_url) ?? "",
    workflow: boundedVar(workflowName, 200),
    workflowPath: boundedVar(workflow?.path ?? "", 300),
    runId: String(run.id),
    attempt: String(attempt),
    runNumber: run.run_number === undefined ? "" : String(run.run_number),
    event: boundedVar(run.event ?? "", 60),
    title: boundedVar(run.display_title ?? ""),
    defaultBranch: boundedVar(repository.default_branch ?? "", MAX_BRANCH_CHARS),
  };
  return {
    ok: true,
    triggerId: `github-run:${run.id}:${attempt}`,
    repo: { owner: repo[1], name: repo[2] },
    branch,
    vars,
  };
}

/**
 * A branch name git accepts and a prompt can quote plainly: no whitespace or control characters,
 * none of `~^:?*[\`, no `..`, `@{` or `//`, not starting with `-` or `/`, not ending in `.lock`, `/` or `.`.
 */
export function isCheckoutableBranch(name: string): boolean {
  if (name.length === 0 || name.length > MAX_BRANCH_CHARS) return false;
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f || "~^:?*[\\".includes(name.charAt(i))) return false;
  }
  if (name.includes("..") || name.includes("@{") || name.includes("//")) return false;
  if (name.startsWith("-") || name.startsWith("/") || name.endsWith("/") || name.endsWith(".")) return false;
  return !name.endsWith(".lock") && name !== "@";
}

/** The prompt a GitHub Actions automation uses when its own template is left empty. */
export const GITHUB_ACTIONS_DEFAULT_TEMPLATE = `The GitHub Actions workflow "{{preset.workflow}}" failed on branch {{preset.branch}} \
of {{preset.repo}} (commit {{preset.sha}}, attempt {{preset.attempt}}).

Failed run: {{preset.runUrl}}

Find out why the build fails: read the workflow file {{preset.workflowPath}} and run the \
commands it runs. Fix the cause so the workflow passes again. Change a test only when the test \
itself is wrong, and say why in the commit message. Keep the change focused on this failure.`;
