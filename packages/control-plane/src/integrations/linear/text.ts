/** Reading a Linear issue for the repository it names: a GitHub URL first, else an `owner/repo` word. */

const GITHUB_URL =
  /https?:\/\/(?:www\.)?github\.com\/([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})/;
// Not inside a path or URL (`a/b/c`, `https://x/y`): the word must stand alone.
const SLUG = /(?:^|[\s(`])([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})(?=$|[\s),.:;!?`])/m;

export function repositoryIn(text: string): { owner: string; name: string } | null {
  const match = GITHUB_URL.exec(text) ?? SLUG.exec(text);
  if (!match?.[1] || !match[2]) return null;
  const name = match[2].replace(/\.git$/, "").replace(/[.]+$/, "");
  if (!name || name === "." || name === "..") return null;
  return { owner: match[1], name };
}
