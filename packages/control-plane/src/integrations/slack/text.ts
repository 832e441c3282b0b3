/** Reading what people type to the app: mentions removed, a repository named, a stop asked for. */

const MENTION = /<@[A-Z0-9]+(\|[^>]*)?>/g;
const GITHUB_URL =
  /<?https?:\/\/(?:www\.)?github\.com\/([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})(?:[/#?][^\s>|]*)?(?:\|[^>]*)?>?/;
const SLUG = /(?:^|[\s(])([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})(?=$|[\s),.:;!?])/;

/** The text without `<@U…>` mentions, trimmed. */
export function withoutMentions(text: string): string {
  return text.replace(MENTION, " ").replace(/\s+/g, " ").trim();
}

/** Whether a thread reply asks the session to stop ("stop", "stop please", "cancel"). */
export function isStopCommand(text: string): boolean {
  return /^(stop|cancel)\b[\s.!]*(please)?[\s.!]*$/i.test(text.trim());
}

export interface NamedRepository {
  owner: string;
  name: string;
  /** The prompt with the repository's mention removed when it only said where to work. */
  prompt: string;
}

/** The repository a message names: a GitHub URL first, else an `owner/repo` word. */
export function repositoryIn(text: string): NamedRepository | null {
  const url = GITHUB_URL.exec(text);
  const match = url ?? SLUG.exec(text);
  if (!match?.[1] || !match[2]) return null;
  const name = match[2].replace(/\.git$/, "").replace(/[.]+$/, "");
  if (!name || name === "." || name === "..") return null;
  return { owner: match[1], name, prompt: text.trim() };
}
