/**
 * The Worker with a recording provider double instead of real sandboxes: the benchmarks use
 * it to play the runtime's part over the real bridge, with the token the control plane
 * hands the "sandbox" exactly as a real runtime receives it (the bootstrap exchange).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Session } from "@nightshift/protocol";
import { type RecordingSandboxHost, startRecordingSandboxHost } from "@nightshift/testkit/sandbox-host";
import { devLogin, localSecrets } from "./dev-login";
import { connectInstallation, signInWithGithub } from "./github-flow";
import { sandboxTokenFromHost } from "./sandbox-bootstrap";
import { createLocalSession } from "./session-calls";
import { type GithubTarget, githubVars } from "./stack";
import { type RunningWorker, startWorker } from "./worker";

export interface RecordedStackOptions {
  echo?: boolean;
  /**
   * A GitHub (the testkit double) to configure as the App and sign-in provider. Sessions its
   * webhooks trigger get their "sandbox" from the recording host, so nothing runs an agent.
   */
  github?: GithubTarget;
  /** Extra Worker vars (a benchmark raises the rate limits it would otherwise trip). */
  vars?: Record<string, string>;
}

/** A GitHub user signed in to the stack, whose tenant has the installation connected. */
export interface GithubTenant {
  /** Cookie + Origin headers for API calls as this user. */
  headers: Record<string, string>;
  tenantId: string;
}

export interface RecordedStack {
  url: string;
  worker: RunningWorker;
  host: RecordingSandboxHost;
  /** Headers that authenticate API calls as the stack's user. */
  headers: Record<string, string>;
  createSession(prompt: string): Promise<{ session: Session; sandboxToken: string }>;
  /**
   * Signs `login` in with GitHub and connects `installationId` to their tenant, as the dashboard
   * does (only with `github` in the options).
   */
  connectGithub(login: string, installationId: number): Promise<GithubTenant>;
  close(): Promise<void>;
}

export async function startRecordedStack(options: RecordedStackOptions = {}): Promise<RecordedStack> {
  const hostSecret = crypto.randomUUID();
  const host = await startRecordingSandboxHost(hostSecret);
  const persistDir = mkdtempSync(join(tmpdir(), "nightshift-bench-"));
  const worker = await startWorker({
    persistDir,
    echo: options.echo ?? false,
    vars: {
      ...localSecrets(),
      SANDBOX_HOST_URL: host.url,
      SANDBOX_HOST_SECRET: hostSecret,
      ...(options.github ? githubVars(options.github) : {}),
      ...options.vars,
    },
  });
  const credentials = await devLogin(worker.url);
  const headers: Record<string, string> = { "content-type": "application/json", ...credentials.headers };
  return {
    url: worker.url,
    worker,
    host,
    headers,
    async createSession(prompt) {
      const session = await createLocalSession({ url: worker.url, headers }, "bench", prompt);
      // As the runtime would: the create request holds only the bootstrap token.
      return { session, sandboxToken: await sandboxTokenFromHost(host, worker.url, session.id) };
    },
    async connectGithub(login, installationId) {
      if (!options.github) throw new Error("connectGithub needs a stack started with `github`");
      const browser = await signInWithGithub(worker.url, login);
      const landed = await connectInstallation(worker.url, browser, installationId, login);
      if (landed.searchParams.get("github") !== "connected")
        throw new Error(
          `connecting installation ${installationId} landed on ${landed.pathname}${landed.search}`,
        );
      return { headers: browser.headers, tenantId: browser.tenantId };
    },
    async close() {
      await worker.close();
      await host.close();
      rmSync(persistDir, { recursive: true, force: true });
    },
  };
}
