/**
 * Keeps the session's repository token in the Durable Object's memory until five minutes before
 * it expires, so every `git` call in the sandbox does not cost a mint. Memory only: the token is
 * never written to storage, D1, KV, logs or events; an evicted object simply mints again.
 * Concurrent requests share one mint.
 */
import type { RepoScope, RepoToken } from "../github/token-broker";

export const REFRESH_MARGIN_MS = 5 * 60 * 1000;

export class GithubTokenCache {
  private current: RepoToken | null = null;
  private pending: Promise<RepoToken> | null = null;
  private readonly mint: (scope: RepoScope) => Promise<RepoToken>;
  private readonly now: () => number;

  constructor(mint: (scope: RepoScope) => Promise<RepoToken>, now: () => number) {
    this.mint = mint;
    this.now = now;
  }

  async get(repo: RepoScope): Promise<RepoToken> {
    const cached = this.current;
    if (cached && cached.expiresAt - REFRESH_MARGIN_MS > this.now()) return cached;
    if (!this.pending) {
      const scope: RepoScope = {
        ...repo,
        installationId: repo.installationId ?? cached?.installationId,
        repositoryId: repo.repositoryId ?? cached?.repositoryId,
      };
      this.pending = this.mint(scope)
        .then((token) => {
          this.current = token;
          return token;
        })
        .finally(() => {
          this.pending = null;
        });
    }
    return this.pending;
  }

  /** Forget the token (the session ended). */
  clear(): void {
    this.current = null;
  }
}
