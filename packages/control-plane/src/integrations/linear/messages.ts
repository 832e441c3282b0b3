/** What Nightshift says in Linear's agent panel: short, and every session message links to the dashboard. */

const DEFAULT_PUBLIC_URL = "http://127.0.0.1:8787";

export function sessionUrlFor(publicUrl: string | undefined, sessionId: string): string {
  return `${(publicUrl ?? DEFAULT_PUBLIC_URL).replace(/\/+$/, "")}/sessions/${sessionId}`;
}

export function startingThought(repository: string): string {
  return `Starting a Nightshift session on \`${repository}\`: cloning the repository and reading the issue.`;
}

export const ASK_REPOSITORY =
  "Which repository should I work in? Reply with `owner/repo` or its GitHub URL. (An admin can set a default repository for this team in Nightshift's Settings → Linear.)";

/** Shown to everyone reading the issue: the link itself travels only in the auth signal. */
export function connectAccountMessage(): string {
  return "Before I can work for you, connect your Linear account to your Nightshift account (once): use the **Connect** link Linear shows you. It is only for you, works once and expires in 30 minutes; I'll start as soon as you've connected. (You need to be a member of the Nightshift tenant this workspace is connected to.)";
}

export function connectedThought(): string {
  return "Your Linear account is now connected to Nightshift: picking the issue up.";
}

export function refusedMessage(reason: string): string {
  return `I couldn't start a session: ${reason}`;
}

export function noSessionMessage(): string {
  return "There is no Nightshift session for this conversation any more; delegate the issue again to start one.";
}

export function stoppedMessage(sessionUrl: string): string {
  return `Stopped the session. [Open it in Nightshift](${sessionUrl})`;
}

export function followUpThought(): string {
  return "Got it: passing this to the running session.";
}
