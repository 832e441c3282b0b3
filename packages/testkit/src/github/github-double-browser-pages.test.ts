import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GithubDouble, startGithubDouble } from "./github-double";

describe("GitHub double: pages a browser visits", () => {
  let gh: GithubDouble;

  beforeAll(async () => {
    gh = await startGithubDouble({
      app: { slug: "night" },
      users: [
        { id: 1, login: "octo" },
        { id: 2, login: "nobody" },
      ],
      repos: [{ owner: "octo", name: "alpha" }],
      installations: [{ id: 7, account: "octo" }],
    });
  });
  afterAll(async () => gh?.close());

  const visit = (path: string) => fetch(`${gh.url}${path}`, { redirect: "manual" });

  it("walls the install page until a browser is signed in, then sends it to the Setup URL with its installation", async () => {
    expect((await visit("/apps/night/installations/new?state=s1")).status).toBe(401);
    gh.signInBrowser("octo");
    expect((await visit("/apps/night/installations/new?state=s1")).status).toBe(500);
    gh.setSetupUrl("http://127.0.0.1:9/auth/github/setup");
    const res = await visit("/apps/night/installations/new?state=s1");
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get("location") ?? "");
    expect(`${to.origin}${to.pathname}`).toBe("http://127.0.0.1:9/auth/github/setup");
    expect(Object.fromEntries(to.searchParams)).toEqual({
      installation_id: "7",
      setup_action: "install",
      state: "s1",
    });
    expect((await visit("/apps/other/installations/new")).status).toBe(404);
    gh.signInBrowser("nobody");
    expect((await visit("/apps/night/installations/new")).status).toBe(404);
  });

  it("authorizes as the signed-in browser user when the URL names nobody", async () => {
    gh.signInBrowser("octo");
    const q = new URLSearchParams({
      client_id: gh.app.clientId,
      redirect_uri: "http://127.0.0.1:9/cb",
      state: "x",
    });
    const res = await visit(`/login/oauth/authorize?${q}`);
    expect(res.status).toBe(302);
    const code = new URL(res.headers.get("location") ?? "").searchParams.get("code") ?? "";
    const token = await fetch(`${gh.url}/login/oauth/access_token`, {
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/json" },
      body: JSON.stringify({
        client_id: gh.app.clientId,
        client_secret: gh.app.clientSecret,
        code,
        redirect_uri: "http://127.0.0.1:9/cb",
      }),
    });
    const { access_token } = (await token.json()) as { access_token: string };
    const me = await fetch(`${gh.apiUrl}/user`, { headers: { authorization: `Bearer ${access_token}` } });
    expect(((await me.json()) as { login: string }).login).toBe("octo");
    expect(() => gh.signInBrowser("ghost")).toThrow(/no fixture user/);
  });
});
