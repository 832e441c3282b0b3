/** Reading what people type to the app: mentions removed, a repository named, a stop asked for. */

const MENTION = /<@[A-Z0-9]+(\|[^>]*)?>/g;
const GITHUB_URL =
  /<?https?:\/\/(?:www\.)?github\.com\/([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})(?:[/#?][^\s>|]*)?(?:\|[^>]*)?>?/;
const SLUG = /(?:^|[\s(])([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})(?=$|[\s),.:;!?])/g;

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

function named(owner: string | undefined, rawName: string | undefined, text: string): NamedRepository | null {
  if (!owner || !rawName) return null;
  const name = rawName.replace(/\.git$/, "").replace(/[.]+$/, "");
  if (!name || name === "." || name === "..") return null;
  return { owner, name, prompt: text.trim() };
}

/**
 * Every repository a message may name, most likely first: a GitHub URL, then each `owner/repo`
 * word in order. A path such as `docs/CHANGELOG.md` looks the same, so the caller picks the first
 * candidate the tenant has connected.
 */
export function repositoryCandidates(text: string): NamedRepository[] {
  const out: NamedRepository[] = [];
  const url = GITHUB_URL.exec(text);
  const fromUrl = url ? named(url[1], url[2], text) : null;
  if (fromUrl) out.push(fromUrl);
  for (const match of text.matchAll(SLUG)) {
    const candidate = named(match[1], match[2], text);
    if (candidate && !out.some((c) => c.owner === candidate.owner && c.name === candidate.name))
      out.push(candidate);
  }
  return out;
}

/** The most likely repository a message names (the first candidate). */
export function repositoryIn(text: string): NamedRepository | null {
  return repositoryCandidates(text)[0] ?? null;
}
