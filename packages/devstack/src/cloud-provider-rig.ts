/**
 * The whole stack running its sandboxes through a cloud provider's double (Daytona's API, our Modal
 * app): a GitHub-connected stack (github-stack.ts) with one repository and installation, the Worker
 * configured with the provider's vars, and the double running each runtime on the stack's sandbox
 * host. Shared by the providers' end-to-end suites and benchmarks.
 */
import type { Session } from "@nightshift/protocol";
import type { GithubDouble } from "@nightshift/testkit/github";
import type { GithubBrowser } from "./github-flow";
import { startGithubStack } from "./github-stack";
import { sendPrompt, stopSession } from "./session-calls";
import type { Stack } from "./stack";
import { StreamWatcher } from "./stream-socket";

/** What the rig needs of a provider double. */
export interface ProviderDouble {
  setSandboxHost(target: { url: string; secret: string }): void;
  close(): Promise<void>;
}

export interface CloudProviderRigOptions {
  /** The GitHub login that signs in, owns the repository and the installation. */
  owner: string;
  userId: number;
  repo: string;
  installationId: number;
  /** Started before the stack: its URL goes in `vars`. Closed with the rig. */
  double: ProviderDouble;
  /** SANDBOX_PROVIDER and the provider's settings. */
  vars: Record<string, string>;
}

export interface CloudProviderRig {
  gh: GithubDouble;
  stack: Stack;
  user: GithubBrowser;
  /** Creates a session on the rig's repository as the signed-in user; throws unless 201. */
  createSession(prompt: string): Promise<Session>;
  /** Creates a session and opens its stream from the start. */
  startSession(prompt: string): Promise<{ session: Session; watcher: StreamWatcher }>;
  /** Sends a follow-up as the signed-in user; throws unless 202. */
  sendPrompt(session: Session, text: string): Promise<void>;
  /** Stops a session (its slot is free for the next one); throws unless 202. */
  stopSession(session: Session): Promise<void>;
  close(): Promise<void>;
}

export async function startCloudProviderRig(options: CloudProviderRigOptions): Promise<CloudProviderRig> {
  const { owner, repo, installationId, double } = options;
  const site = await startGithubStack({
    github: {
      users: [{ id: options.userId, login: owner }],
      repos: [{ owner, name: repo, files: { "README.md": `# ${repo}\n` } }],
      installations: [{ id: installationId, account: owner, repos: [`${owner}/${repo}`] }],
    },
    owner,
    installationId,
    vars: options.vars,
    doubles: [double],
  });
  double.setSandboxHost({ url: site.stack.host.url, secret: site.stack.hostSecret });
  const createSession = (prompt: string) => site.createSession({ owner, name: repo }, prompt);
  const asUser = { url: site.stack.url, headers: site.user.headers };
  return {
    gh: site.gh,
    stack: site.stack,
    user: site.user,
    createSession,
    async startSession(prompt) {
      const session = await createSession(prompt);
      return { session, watcher: await StreamWatcher.open(site.stack.url, session.id, 0, site.user.headers) };
    },
    sendPrompt: (session, text) => sendPrompt(asUser, session.id, text),
    stopSession: (session) => stopSession(asUser, session.id),
    close: site.close,
  };
}
