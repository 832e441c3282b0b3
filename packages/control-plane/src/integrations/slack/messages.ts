/**
 * What the app says in Slack (mrkdwn). No secrets, tokens or stack traces: only the session's
 * state, its branch, the pull request and links to the dashboard.
 */
import type { SessionStatus } from "@nightshift/protocol";

/** Slack's mrkdwn control characters, escaped as Slack asks (&, <, >). */
export function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function link(url: string, label: string): string {
  return `<${url}|${escapeText(label)}>`;
}

const STATUS_WORDS: Record<SessionStatus, string> = {
  queued: ":hourglass: Queued",
  starting: ":hourglass_flowing_sand: Starting a sandbox",
  running: ":gear: Running",
  idle: ":white_check_mark: Waiting for your next message",
  paused: ":zzz: Paused (a message here resumes it)",
  resuming: ":hourglass_flowing_sand: Resuming",
  stopping: ":octagonal_sign: Stopping",
  stopped: ":octagonal_sign: Stopped",
  completed: ":white_check_mark: Completed",
  failed: ":x: Failed",
};

export function statusMessage(input: {
  status: SessionStatus;
  step: string | null;
  title: string;
  sessionUrl: string;
}): string {
  const words = STATUS_WORDS[input.status];
  const step = input.status === "running" && input.step ? ` · ${escapeText(input.step)}` : "";
  return `${words}${step} — ${link(input.sessionUrl, input.title)}`;
}

export function finalMessage(input: {
  outcome: "completed" | "failed" | "cancelled";
  summary: string | null;
  branch: string;
  pullRequestUrl: string | null;
  sessionUrl: string;
}): string {
  const head =
    input.outcome === "completed"
      ? ":white_check_mark: Done."
      : input.outcome === "cancelled"
        ? ":octagonal_sign: Stopped."
        : ":x: The run failed.";
  const lines = [head];
  if (input.summary) lines.push(escapeText(input.summary.slice(0, 3_000)));
  lines.push(`Branch: \`${escapeText(input.branch)}\``);
  if (input.pullRequestUrl) lines.push(`Pull request: ${link(input.pullRequestUrl, input.pullRequestUrl)}`);
  lines.push(link(input.sessionUrl, "Open the session in Nightshift"));
  return lines.join("\n");
}

export function askRepositoryMessage(): string {
  return "Which repository should I work on? Mention me again with `owner/repo` (or a GitHub link) in your message, or ask an admin to set this channel's default repository in Nightshift → Settings → Slack.";
}

export function connectAccountMessage(url: string): string {
  return `Before I can start work for you, connect your Slack account to Nightshift (once): ${link(url, "connect your account")}. The link works for 30 minutes, then mention me again.`;
}

export function refusedMessage(reason: string): string {
  return `Sorry, I can't start that: ${escapeText(reason)}`;
}

export function stoppedMessage(): string {
  return ":octagonal_sign: Stopping the session.";
}

export function noSessionMessage(): string {
  return "There is no session in this thread to stop.";
}

export function followUpMessage(sessionUrl: string): string {
  return `:speech_balloon: Added to the session — ${link(sessionUrl, "open it in Nightshift")}`;
}
