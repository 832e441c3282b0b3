/**
 * How the exchange's answer joins the sandbox's own environment. The sandbox's own variables win:
 * its provider set them for where it actually runs (the control-plane URL through the egress
 * forwarder, the paths as mounted, HOME, the proxies), and no answer may redirect those. The
 * answer fills in everything else. Two names are combined instead: NIGHTSHIFT_SECRET_NAMES (both
 * lists are masked) and NIGHTSHIFT_REPO_URL, which the control plane builds on its own URL and
 * which is moved onto the URL this sandbox dials it by, as the host does for a whole environment.
 */

export type Env = Record<string, string | undefined>;

export type MergeResult = { ok: true; env: Env } | { ok: false; problem: string };

const trimmed = (url: string) => url.replace(/\/+$/, "");

/** `repoUrl` on `ownBase` when it was built on `answerBase`; unchanged otherwise. */
export function rebaseRepoUrl(
  repoUrl: string,
  answerBase: string | undefined,
  ownBase: string | undefined,
): string {
  if (!answerBase || !ownBase) return repoUrl;
  const from = trimmed(answerBase);
  if (repoUrl !== from && !repoUrl.startsWith(`${from}/`)) return repoUrl;
  return `${trimmed(ownBase)}${repoUrl.slice(from.length)}`;
}

function names(list: string | undefined): string[] {
  return (list ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
}

export function mergeBootstrapAnswer(own: Env, answer: Record<string, string>): MergeResult {
  const ownSession = own.NIGHTSHIFT_SESSION_ID;
  if (ownSession && answer.NIGHTSHIFT_SESSION_ID && answer.NIGHTSHIFT_SESSION_ID !== ownSession) {
    return {
      ok: false,
      problem: "the bootstrap exchange answered for another session than NIGHTSHIFT_SESSION_ID names",
    };
  }
  const merged: Env = { ...answer };
  for (const [name, value] of Object.entries(own)) if (value !== undefined) merged[name] = value;
  const secretNames = [
    ...new Set([...names(own.NIGHTSHIFT_SECRET_NAMES), ...names(answer.NIGHTSHIFT_SECRET_NAMES)]),
  ];
  if (secretNames.length > 0) merged.NIGHTSHIFT_SECRET_NAMES = secretNames.join(",");
  if (answer.NIGHTSHIFT_REPO_URL && own.NIGHTSHIFT_REPO_URL === undefined) {
    merged.NIGHTSHIFT_REPO_URL = rebaseRepoUrl(
      answer.NIGHTSHIFT_REPO_URL,
      answer.NIGHTSHIFT_CONTROL_PLANE_URL,
      own.NIGHTSHIFT_CONTROL_PLANE_URL,
    );
  }
  return { ok: true, env: merged };
}
