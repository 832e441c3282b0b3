/**
 * The whole stack running its sandboxes through a cloud provider's double (Daytona's API, our Modal
 * app): a GitHub double with one repository and installation, the Worker configured with the
 * provider's vars, the double running each runtime on the stack's sandbox host, and a user signed
 * in with GitHub who connected the installation. Shared by the providers' end-to-end suites and
 * benchmarks.
 */
import type { Session } from "@nightshift/protocol";
import { type GithubDouble, startGithubDouble } from "@nightshift/testkit/github";
import { connectInstallation, type GithubBrowser, signInWithGithub } from "./github-flow";
import { type Stack, startStack } from "./stack";

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
  close(): Promise<void>;
}

export async function startCloudProviderRig(options: CloudProviderRigOptions): Promise<CloudProviderRig> {
  const { owner, repo, installationId, double } = options;
  const gh = await startGithubDouble({
    users: [{ id: options.userId, login: owner }],
    repos: [{ owner, name: repo, files: { "README.md": `# ${repo}\n` } }],
    installations: [{ id: installationId, account: owner, repos: [`${owner}/${repo}`] }],
  });
  let stack: Stack | undefined;
  const close = async () => {
    await stack?.close();
    await double.close();
    await gh.close();
  };
  try {
    stack = await startStack({ forceScriptedModel: true, github: gh, vars: options.vars });
    double.setSandboxHost({ url: stack.host.url, secret: stack.hostSecret });
    gh.setWebhookUrl(`${stack.url}/webhooks/github`);
    const user = await signInWithGithub(stack.url, owner);
    await connectInstallation(stack.url, user, installationId, owner);
    const site = stack;
    return {
      gh,
      stack: site,
      user,
      async createSession(prompt) {
        const res = await fetch(`${site.url}/api/v1/tenants/${user.tenantId}/sessions`, {
          method: "POST",
          headers: { ...user.headers, "content-type": "application/json" },
          body: JSON.stringify({ repo: { kind: "github", owner, name: repo }, prompt }),
        });
        if (res.status !== 201)
          throw new Error(`creating a session answered ${res.status}: ${await res.text()}`);
        return (await res.json()) as Session;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
