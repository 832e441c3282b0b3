/**
 * GitHub's refusals keep their meaning at the API: when GitHub answers 404 for the installation
 * a tenant's repository row points at (the App was uninstalled behind our back), creating a
 * session there is a 404 that says so, not "503 retry shortly".
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/client";
import { linkInstallation, replaceRepositories } from "../src/db/repositories/github";
import { exchangeCode } from "../src/tenancy/github-oauth";
import { githubTenant } from "./github-tenant";
import { postJson } from "./helpers";

/** An installation id the GitHub double has never heard of. */
const VANISHED_INSTALLATION = 4040;

describe("GitHub failures at the API", () => {
  it("surfaces GitHub's 404 for a vanished installation as a 404, not as 503 retry shortly", async () => {
    const owner = await githubTenant();
    const db = openDatabase(env.DB);
    await linkInstallation(db, owner.tenantId, {
      id: VANISHED_INSTALLATION,
      accountLogin: "acme",
      linkedBy: owner.userId,
      now: Date.now(),
    });
    await replaceRepositories(db, owner.tenantId, VANISHED_INSTALLATION, [
      { id: 9404, owner: "acme", name: "vanished", defaultBranch: "main" },
    ]);
    const res = await postJson(
      "/api/v1/sessions",
      { repo: { kind: "github", owner: "acme", name: "vanished" }, prompt: "Fix it" },
      {},
      owner,
    );
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect({ status: res.status, code: body.error.code }).toEqual({ status: 404, code: "not_found" });
    expect(body.error.message).toMatch(
      /GitHub refused checking octocat's access to acme\/vanished \(status 404\)/,
    );
    expect(body.error.message).not.toMatch(/retry shortly/);
  });

  it("sign-in: no answer from GitHub is 503 'try again', an answer GitHub refuses is 502, classified alike", async () => {
    const oauthUrl = (env as unknown as { GITHUB_WEB_URL: string }).GITHUB_WEB_URL;
    const client = (webUrl: string) => ({
      clientId: "c",
      clientSecret: "s",
      webUrl,
      apiUrl: `${webUrl}/api/v3`,
    });
    const input = { code: "x", redirectUri: "http://nightshift.test/auth/github/callback", verifier: "v" };
    // Port 9 (discard) on loopback: nothing listens, the connection is refused.
    const down = await exchangeCode(client("http://127.0.0.1:9"), input).catch((e: unknown) => e);
    expect(down).toMatchObject({ code: "upstream_unavailable", status: 503 });
    const refused = await exchangeCode(client(`${oauthUrl}/no-such-prefix`), input).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "upstream_failed", status: 502 });
  });
});
