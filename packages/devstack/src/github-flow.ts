/**
 * The browser side of GitHub sign-in and of connecting an installation, driven over HTTP with a
 * small cookie jar: what a person's browser does between Nightshift and GitHub (here the testkit
 * double, whose authorize page signs in the fixture user named by `login` without a form).
 */

interface Jar {
  cookies: Map<string, string>;
}

function remember(jar: Jar, res: Response): void {
  for (const line of res.headers.getSetCookie()) {
    const [pair = ""] = line.split(";");
    const eq = pair.indexOf("=");
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || value === "") jar.cookies.delete(name);
    else jar.cookies.set(name, value);
  }
}

function cookieHeader(jar: Jar): string {
  return [...jar.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
}

/**
 * Follows redirects by hand (cookies only go to the control plane), appending `login` to GitHub's
 * authorize page. Returns the final control-plane URL it landed on.
 */
async function navigate(jar: Jar, start: string, site: string, login: string, maxHops = 10): Promise<URL> {
  let url = new URL(start);
  for (let hop = 0; hop < maxHops; hop++) {
    const ours = url.origin === new URL(site).origin;
    if (!ours && url.pathname === "/login/oauth/authorize") url.searchParams.set("login", login);
    const res = await fetch(url, { redirect: "manual", headers: ours ? { cookie: cookieHeader(jar) } : {} });
    if (ours) remember(jar, res);
    const next = res.headers.get("location");
    if (res.status < 300 || res.status >= 400 || !next) {
      if (!ours || res.status >= 400)
        throw new Error(`${url.pathname} answered ${res.status}: ${await res.text()}`);
      return url;
    }
    await res.body?.cancel();
    url = new URL(next, url);
    if (url.origin === new URL(site).origin && !url.pathname.startsWith("/auth/")) return url;
  }
  throw new Error(`too many redirects from ${start}`);
}

export interface GithubBrowser {
  /** Cookie + Origin headers for API calls as this user. */
  headers: Record<string, string>;
  /** The user's first tenant (the personal one sign-in creates). */
  tenantId: string;
}

/** Signs `login` in through "Sign in with GitHub". */
export async function signInWithGithub(site: string, login: string): Promise<GithubBrowser & { jar: Jar }> {
  const jar: Jar = { cookies: new Map() };
  await navigate(jar, `${site}/auth/github/login`, site, login);
  const headers = { cookie: cookieHeader(jar), origin: site };
  const me = (await (await fetch(`${site}/api/v1/me`, { headers })).json()) as { tenants?: { id: string }[] };
  const tenantId = me.tenants?.[0]?.id;
  if (!tenantId) throw new Error(`signing in ${login} with GitHub gave no tenant`);
  return { jar, headers, tenantId };
}

/**
 * Connects an installation to the browser's tenant the way the dashboard does: ask for the install
 * URL, let "GitHub" send the browser to the Setup URL with the installation id, then through the
 * OAuth proof. Returns where the browser landed (`/settings?github=connected` on success).
 */
export async function connectInstallation(
  site: string,
  browser: GithubBrowser & { jar: Jar },
  installationId: number,
  login: string,
): Promise<URL> {
  const res = await fetch(`${site}/api/v1/tenants/${browser.tenantId}/github/connect`, {
    method: "POST",
    headers: { ...browser.headers, cookie: cookieHeader(browser.jar) },
  });
  if (!res.ok) throw new Error(`connect answered ${res.status}: ${await res.text()}`);
  const { url } = (await res.json()) as { url: string };
  const state = new URL(url).searchParams.get("state");
  if (!state) throw new Error(`the install URL carries no state: ${url}`);
  // GitHub's install page is not modelled; after installing, GitHub redirects to the Setup URL like this.
  const setup = `${site}/auth/github/setup?installation_id=${installationId}&setup_action=install&state=${encodeURIComponent(state)}`;
  return navigate(browser.jar, setup, site, login);
}
