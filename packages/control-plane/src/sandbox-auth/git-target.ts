/** Where the App's git traffic goes: the git proxy's upstream for GitHub repositories. */

/** The GitHub web URL the App's git traffic goes to, as the App config resolves it. */
export function githubWebUrl(env: { GITHUB_APP_WEB_URL?: string; GITHUB_WEB_URL?: string }): string {
  return env.GITHUB_APP_WEB_URL ?? env.GITHUB_WEB_URL ?? "https://github.com";
}
