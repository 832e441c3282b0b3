/**
 * Installing the Linear app on a tenant the way Settings does, driven over HTTP: ask for the
 * install URL, let Linear (the testkit double, whose authorize page approves at once) redirect the
 * browser back to the callback, and map a Linear team to a repository. Used by the Linear
 * end-to-end suite and the benchmarks.
 */
import type { GithubBrowser } from "./github-flow";

/**
 * Runs the Linear OAuth install as `user` on their tenant; returns where the callback sent the
 * browser (`/settings?linear=connected` on success). Throws when the install cannot start.
 */
export async function installLinear(site: string, user: GithubBrowser): Promise<string | null> {
  const start = await fetch(`${site}/api/v1/tenants/${user.tenantId}/linear/connect`, {
    method: "POST",
    headers: user.headers,
  });
  if (start.status !== 200) throw new Error(`linear/connect answered ${start.status}: ${await start.text()}`);
  const authorize = await fetch(((await start.json()) as { url: string }).url, { redirect: "manual" });
  const back = new URL(authorize.headers.get("location") ?? "", site);
  const callback = await fetch(`${site}${back.pathname}${back.search}`, {
    headers: user.headers,
    redirect: "manual",
  });
  await callback.body?.cancel();
  return callback.headers.get("location");
}

/** Maps a Linear team to an `owner/name` repository of the tenant; returns the answer's status. */
export async function mapLinearTeam(
  site: string,
  user: GithubBrowser,
  teamId: string,
  repository: string,
): Promise<number> {
  const res = await fetch(`${site}/api/v1/tenants/${user.tenantId}/linear/teams/${teamId}`, {
    method: "PUT",
    headers: { ...user.headers, "content-type": "application/json" },
    body: JSON.stringify({ repository }),
  });
  await res.body?.cancel();
  return res.status;
}
