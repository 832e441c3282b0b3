/**
 * The whole stack with GitHub connected, the set-up most end-to-end suites share: the testkit
 * GitHub double (users, repositories, installations), the stack configured with it as the GitHub
 * App and sign-in provider (plus whatever integration or provider vars the suite adds), the
 * double's webhooks pointed at the Worker, and one owner signed in with GitHub who connected the
 * installation to their tenant, as the dashboard does.
 */
import type { Session } from "@nightshift/protocol";
import { type GithubDouble, type GithubDoubleOptions, startGithubDouble } from "@nightshift/testkit/github";
import { connectInstallation, type GithubBrowser, signInWithGithub } from "./github-flow";
import { createSession } from "./session-calls";
import { type Stack, startStack } from "./stack";

/** A double of an outside service started before the stack (its URL goes in `vars`). */
export interface ClosableDouble {
  close(): Promise<void>;
}

export interface GithubStackOptions {
  /** The GitHub double's fixture: App slug, users, repositories, installations. */
  github: GithubDoubleOptions;
  /** The login that signs in with GitHub and connects `installationId` to their tenant. */
  owner: string;
  installationId: number;
  /** Extra Worker vars: an integration's (SLACK_*, LINEAR_*) or a sandbox provider's. */
  vars?: Record<string, string>;
  /** Doubles the caller started for the stack; closed with it (after the stack, before GitHub). */
  doubles?: ClosableDouble[];
}

export interface GithubStack {
  gh: GithubDouble;
  stack: Stack;
  /** The owner's browser: cookie + Origin headers and their tenant. */
  user: GithubBrowser;
  /** A request to the owner's tenant API (`/api/v1/tenants/<tenant><path>`) as the owner, JSON. */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** Creates a session on a repository of the double as the owner; throws unless 201. */
  createSession(repo: { owner: string; name: string }, prompt: string): Promise<Session>;
  close(): Promise<void>;
}

export async function startGithubStack(options: GithubStackOptions): Promise<GithubStack> {
  const doubles = options.doubles ?? [];
  let gh: GithubDouble | undefined;
  let stack: Stack | undefined;
  const close = async () => {
    await stack?.close();
    for (const double of doubles) await double.close();
    await gh?.close();
  };
  try {
    gh = await startGithubDouble(options.github);
    stack = await startStack({ forceScriptedModel: true, github: gh, vars: options.vars ?? {} });
    gh.setWebhookUrl(`${stack.url}/webhooks/github`);
    const browser = await signInWithGithub(stack.url, options.owner);
    const landed = await connectInstallation(stack.url, browser, options.installationId, options.owner);
    if (landed.searchParams.get("github") !== "connected")
      throw new Error(
        `connecting installation ${options.installationId} landed on ${landed.pathname}${landed.search}`,
      );
    const user: GithubBrowser = { headers: browser.headers, tenantId: browser.tenantId };
    const site = stack.url;
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${site}/api/v1/tenants/${user.tenantId}${path}`, {
        ...init,
        headers: { ...user.headers, "content-type": "application/json", ...(init.headers ?? {}) },
      });
    return {
      gh,
      stack,
      user,
      api,
      createSession: (repo, prompt) =>
        createSession(
          { url: site, headers: user.headers, tenantId: user.tenantId },
          { kind: "github", owner: repo.owner, name: repo.name },
          prompt,
        ),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
