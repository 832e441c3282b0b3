/**
 * Every text Nightshift writes on GitHub or hands the agent for a GitHub trigger, in one place:
 * the prompt built from an issue or a mention, the comments it posts, and the pull request body.
 * Pure functions, so wording is tested without GitHub.
 */
const MAX_COMMENT = 60_000;
const MAX_SUMMARY = 20_000;

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 20)}\n\n…(truncated)` : text;
}

export function issuePrompt(issue: { number: number; title: string; body: string }): string {
  const body = issue.body.trim() || "(the issue has no description)";
  return [
    `Resolve GitHub issue #${issue.number}: ${issue.title}`,
    "",
    clip(body, 50_000),
    "",
    "Make the change in this repository. Keep it focused on the issue; explain what you changed at the end.",
  ].join("\n");
}

export function mentionPrompt(text: string, pull: { number: number; title: string }, by: string): string {
  return [
    `@${by} asked on pull request #${pull.number} (${pull.title}):`,
    "",
    clip(text, 50_000),
    "",
    "Make the requested change on this branch, then explain what you changed.",
  ].join("\n");
}

export function startedComment(sessionUrl: string): string {
  return `🌙 Nightshift is working on this. Follow along: ${sessionUrl}`;
}

export function noAccessReply(login: string, repo: string): string {
  return `Hi @${login}, thanks for asking! I can only take requests from people with write access to ${repo}, so I won't start on this one. A maintainer can ask me instead.`;
}

export function emptyMentionReply(login: string): string {
  return `Hi @${login}, what should I change? Mention me again with the request, e.g. "@nightshift rename the helper and update its tests".`;
}

export function forkReply(login: string): string {
  return `Hi @${login}, this pull request's branch lives in a fork, which I cannot push to. Label an issue instead and I'll open my own pull request.`;
}

export type TurnOutcome = "completed" | "failed" | "cancelled";

export function resultComment(p: {
  login: string | null;
  outcome: TurnOutcome;
  summary: string | null;
  pr: { number: number; url: string } | null;
  sessionUrl: string;
}): string {
  const who = p.login ? `@${p.login} ` : "";
  const head =
    p.outcome === "completed"
      ? `${who}done${p.pr ? ` — see #${p.pr.number}` : " (no changes were needed, so no pull request)"}.`
      : p.outcome === "cancelled"
        ? `${who}the run was stopped before it finished.`
        : `${who}the run failed before it finished.`;
  const summary = p.summary?.trim() ? `\n\n${clip(p.summary.trim(), MAX_SUMMARY)}` : "";
  return clip(`${head}${summary}\n\nSession: ${p.sessionUrl}`, MAX_COMMENT);
}

export function pullRequestBody(p: {
  summary: string | null;
  closesIssue: number | null;
  requestedBy: string | null;
  sessionUrl: string;
}): string {
  const parts = [p.summary?.trim() ? clip(p.summary.trim(), MAX_SUMMARY) : "Changes made by the agent."];
  if (p.closesIssue) parts.push(`Closes #${p.closesIssue}`);
  parts.push(
    `---\nOpened by Nightshift${p.requestedBy ? ` for @${p.requestedBy}` : ""} · session: ${p.sessionUrl}`,
  );
  return clip(parts.join("\n\n"), MAX_COMMENT);
}
