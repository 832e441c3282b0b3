/**
 * What one delivery asks of an automation, decided without I/O: the preset reads its event (or
 * declines it), the filter matches or not, the template renders the prompt (empty → skipped), and
 * the repository is the fixed one or the one the payload names. The run (run.ts) and the payload
 * tester (the dry run) share it, so the tester shows exactly what a delivery would do.
 */
import {
  type Automation,
  matchesFilter,
  parseFilter,
  parseTemplate,
  type RepoRef,
  readPayloadPath,
  renderTemplate,
} from "@nightshift/protocol";
import { defaultTemplateFor } from "./definition";
import { githubActionsRun } from "./presets/github-actions";
import { sentryRun } from "./presets/sentry";

/** Cap on one substituted value and on the whole prompt. */
const MAX_VALUE_CHARS = 2_000;
const MAX_PROMPT_CHARS = 20_000;

const REPO_FULL_NAME = /^([A-Za-z0-9_.-]{1,100})\/([A-Za-z0-9_.-]{1,100})$/;

/** Where a GitHub Actions fix goes: the failing branch itself, or a new branch with a PR to it. */
export interface RunBranch {
  /** The session's own branch (the one it pushes), when it is not a new nightshift/… branch. */
  branch?: string;
  /** What the session checks out first and its pull request targets. */
  baseBranch?: string;
}

export type Evaluation =
  | ({
      kind: "run";
      prompt: string;
      repo: RepoRef;
      repoLabel: string;
      title: string;
      triggerId?: string;
    } & RunBranch)
  | { kind: "skip"; reason: string }
  | { kind: "fail"; reason: string; position?: number };

interface PresetView {
  vars?: Record<string, string>;
  triggerId?: string;
  repo?: { owner: string; name: string };
  placement?: RunBranch;
  title?: string;
}

/**
 * A failed workflow run is fixed on its own branch when that is not the default branch: the git
 * proxy lets a session push only its own branch, fast-forward only, so the session adopts the head
 * branch and its commits land on top of the failing ones (runs from forks never get here: the
 * preset declines them). On the default branch, or when the payload does not say which that is,
 * the fix goes to a new branch with a pull request into the failing branch: nobody expects a bot
 * to push to main.
 */
export function githubActionsPlacement(headBranch: string, defaultBranch: string): RunBranch {
  if (defaultBranch !== "" && headBranch !== defaultBranch) return { branch: headBranch };
  return { baseBranch: headBranch };
}

function presetView(automation: Automation, payload: unknown): PresetView | { skip: string } {
  const kind = automation.trigger.kind;
  if (kind === "sentry") {
    const run = sentryRun(payload);
    if (!run.ok) return { skip: run.skip };
    return { vars: run.vars, triggerId: run.triggerId, title: run.vars.title };
  }
  if (kind === "github_actions") {
    const run = githubActionsRun(payload);
    if (!run.ok) return { skip: run.skip };
    return {
      vars: run.vars,
      triggerId: run.triggerId,
      repo: run.repo,
      placement: githubActionsPlacement(run.branch, run.vars.defaultBranch),
      title: `Fix the failing build on ${run.branch}`,
    };
  }
  return {};
}

function repoFromPayload(
  automation: Automation,
  payload: unknown,
  preset: PresetView,
): { repo: RepoRef; label: string } | { fail: string } | { skip: string } {
  const setting = automation.repo;
  if (setting.mode === "fixed") {
    const repo = setting.repo;
    const label = repo.kind === "github" ? `${repo.owner}/${repo.name}` : repo.path;
    // A preset's event names its repository: one for another repository is not this automation's.
    if (
      preset.repo &&
      (repo.kind !== "github" ||
        label.toLowerCase() !== `${preset.repo.owner}/${preset.repo.name}`.toLowerCase())
    )
      return { skip: `the event is for ${preset.repo.owner}/${preset.repo.name}, not ${label}` };
    return { repo, label };
  }
  if (preset.repo) {
    const { owner, name } = preset.repo;
    return { repo: { kind: "github", owner, name }, label: `${owner}/${name}` };
  }
  const value = readPayloadPath(payload, setting.path);
  const match = typeof value === "string" ? REPO_FULL_NAME.exec(value.trim()) : null;
  if (!match?.[1] || !match[2]) return { fail: `${setting.path} does not name a repository as "owner/name"` };
  return { repo: { kind: "github", owner: match[1], name: match[2] }, label: `${match[1]}/${match[2]}` };
}

function titleOf(prompt: string, automation: Automation, preset: PresetView): string {
  const first = (preset.title ?? prompt.split("\n").find((l) => l.trim()) ?? "").trim();
  const title = `${automation.name}: ${first}`.replace(/\s+/g, " ");
  return title.length > 120 ? `${title.slice(0, 117)}...` : title;
}

export function evaluateAutomation(automation: Automation, payload: unknown): Evaluation {
  const preset = presetView(automation, payload);
  if ("skip" in preset) return { kind: "skip", reason: preset.skip };
  const scope = preset.vars ? { preset: preset.vars } : {};
  if (automation.filter) {
    const filter = parseFilter(automation.filter);
    if (!filter.ok)
      return { kind: "fail", reason: `the filter: ${filter.error.message}`, position: filter.error.position };
    if (!matchesFilter(filter.filter, payload, scope))
      return { kind: "skip", reason: "the filter did not match the payload" };
  }
  const source = automation.promptTemplate.trim()
    ? automation.promptTemplate
    : defaultTemplateFor(automation.trigger);
  const template = parseTemplate(source ?? "");
  if (!template.ok)
    return {
      kind: "fail",
      reason: `the prompt template: ${template.error.message}`,
      position: template.error.position,
    };
  const prompt = renderTemplate(template.template, payload, {
    ...scope,
    maxValueChars: MAX_VALUE_CHARS,
    maxChars: MAX_PROMPT_CHARS,
  }).trim();
  if (!prompt) return { kind: "skip", reason: "the prompt template rendered empty for this payload" };
  const repo = repoFromPayload(automation, payload, preset);
  if ("skip" in repo) return { kind: "skip", reason: repo.skip };
  if ("fail" in repo) return { kind: "fail", reason: repo.fail };
  return {
    kind: "run",
    prompt,
    repo: repo.repo,
    repoLabel: repo.label,
    title: titleOf(prompt, automation, preset),
    ...(preset.triggerId ? { triggerId: preset.triggerId } : {}),
    ...preset.placement,
  };
}
