import { describe, expect, it } from "vitest";
import type { RepoScope, RepoToken } from "../github/token-broker";
import { GithubTokenCache, REFRESH_MARGIN_MS } from "./github-token-cache";

describe("GithubTokenCache", () => {
  const hour = 60 * 60 * 1000;
  function setup() {
    let now = 1_000_000;
    const calls: RepoScope[] = [];
    let release: (() => void) | null = null;
    const cache = new GithubTokenCache(
      async (scope) => {
        calls.push(scope);
        if (release === null)
          await new Promise<void>((r) => {
            release = r;
          });
        const token: RepoToken = {
          token: `t${calls.length}`,
          expiresAt: now + hour,
          installationId: 5,
          repositoryId: 42,
        };
        return token;
      },
      () => now,
    );
    return {
      cache,
      calls,
      advance: (ms: number) => {
        now += ms;
      },
      release: () => release?.(),
    };
  }

  it("shares one mint between concurrent callers and reuses it until five minutes before expiry", async () => {
    const { cache, calls, advance, release } = setup();
    const a = cache.get({ owner: "o", name: "r" });
    const b = cache.get({ owner: "o", name: "r" });
    await Promise.resolve();
    release();
    expect((await a).token).toBe("t1");
    expect((await b).token).toBe("t1");
    expect(calls).toEqual([{ owner: "o", name: "r", installationId: undefined, repositoryId: undefined }]);
    advance(hour - REFRESH_MARGIN_MS - 1);
    expect((await cache.get({ owner: "o", name: "r" })).token).toBe("t1");
    advance(2);
    expect((await cache.get({ owner: "o", name: "r" })).token).toBe("t2");
    // The refresh reuses what the first mint learnt, so it scopes by repository id.
    expect(calls[1]).toEqual({ owner: "o", name: "r", installationId: 5, repositoryId: 42 });
  });

  it("does not cache a failed mint", async () => {
    let fail = true;
    const cache = new GithubTokenCache(async () => {
      if (fail) throw new Error("boom");
      return { token: "ok", expiresAt: Date.now() + hour, installationId: 1, repositoryId: 1 };
    }, Date.now);
    await expect(cache.get({ owner: "o", name: "r" })).rejects.toThrow("boom");
    fail = false;
    expect((await cache.get({ owner: "o", name: "r" })).token).toBe("ok");
  });
});
