/**
 * The whole of Nightshift on one machine: the Worker under wrangler dev (local D1 + DOs), the
 * sandbox host (in-process) running real sandbox runtimes with the real agent CLI, and the
 * scripted model when no model key is set. `make dev`, `make demo` and the e2e tests use it.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningSandboxHost, silentHostLogger, startSandboxHost } from "@nightshift/sandbox-host";
import type { GithubDouble } from "@nightshift/testkit/github";
import { type ScriptedModel, startScriptedModel } from "@nightshift/testkit/model";
import { devLogin, localSecrets, persistentLocalSecrets } from "./dev-login";
import { startProcess } from "./processes";
import { REPO_ROOT, type RunningWorker, startWorker } from "./worker";

export interface StackOptions {
  /** Worker port; 0 picks a free one. */
  port?: number;
  /** Directory for local state (D1, DOs, sandboxes, repositories); a temp dir when omitted. */
  stateDir?: string;
  /** Use the scripted model even when ANTHROPIC_API_KEY is set. */
  forceScriptedModel?: boolean;
  /** Stream the Worker's and host's logs to stdout. */
  echo?: boolean;
  /** Extra Worker vars. */
  vars?: Record<string, string>;
  /** Pause between streamed autopilot deltas, so a demo visibly streams. */
  autopilotChunkDelayMs?: number;
  /** A GitHub (the testkit double, GitHub Enterprise Server) to configure as the GitHub App and sign-in provider. */
  github?: GithubTarget;
}

/** What the stack needs to know of a GitHub: its URLs and the App registered there (the double has all of it). */
export type GithubTarget = Pick<GithubDouble, "url" | "apiUrl" | "app">;

/** Worker vars that point the control plane's GitHub App and sign-in at `github`. */
export function githubVars(github: GithubTarget): Record<string, string> {
  return {
    GITHUB_APP_ID: String(github.app.id),
    GITHUB_APP_SLUG: github.app.slug,
    // Escaped newlines: the value travels as one command-line argument (the config accepts both forms).
    GITHUB_APP_PRIVATE_KEY: github.app.privateKeyPem.replace(/\n/g, "\\n"),
    GITHUB_WEBHOOK_SECRET: github.app.webhookSecret,
    GITHUB_OAUTH_CLIENT_ID: github.app.clientId,
    GITHUB_OAUTH_CLIENT_SECRET: github.app.clientSecret,
    GITHUB_WEB_URL: github.url,
    GITHUB_API_URL: github.apiUrl,
  };
}

export interface Stack {
  url: string;
  reposRoot: string;
  stateDir: string;
  model: ScriptedModel | null;
  host: RunningSandboxHost;
  /** The host's signing secret, for doubles of cloud providers that run their sandboxes on it. */
  hostSecret: string;
  worker: RunningWorker;
  /** Headers (cookie + origin) of the dev user (the local owner), signed in. */
  headers: Record<string, string>;
  /** The dev user's tenant. */
  tenantId: string;
  close(): Promise<void>;
}

export const RUNTIME_BUNDLE = join(REPO_ROOT, "packages/sandbox-runtime/dist/runtime.mjs");

/** Builds the sandbox runtime bundle when it is missing (a fresh clone before `turbo build`). */
export async function ensureRuntimeBundle(): Promise<void> {
  if (existsSync(RUNTIME_BUNDLE)) return;
  const build = startProcess("build-runtime", process.execPath, ["scripts/build.mjs"], {
    cwd: join(REPO_ROOT, "packages/sandbox-runtime"),
  });
  const code = await new Promise<number | null>((r) => build.child.once("exit", r));
  if (code !== 0 || !existsSync(RUNTIME_BUNDLE)) {
    throw new Error(`building the sandbox runtime failed:\n${build.recentOutput()}`);
  }
}

/** The host's environment without model keys or endpoints (they belong to the Worker's gateway). */
function withoutModelVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const name of Object.keys(out)) {
    if (/^(ANTHROPIC|OPENAI|GEMINI|GOOGLE_GEMINI)_/.test(name)) delete out[name];
  }
  return out;
}

/** The Worker's variables for each model API the gateway forwards to. */
const MODEL_API_VARIABLES = [
  { key: "ANTHROPIC_API_KEY", baseUrl: "ANTHROPIC_BASE_URL", scriptedKey: "sk-ant-scripted-model" },
  { key: "OPENAI_API_KEY", baseUrl: "OPENAI_BASE_URL", scriptedKey: "sk-scripted-model" },
  { key: "GEMINI_API_KEY", baseUrl: "GEMINI_BASE_URL", scriptedKey: "scripted-model-key" },
] as const;

/** NIGHTSHIFT_E2E_ECHO=1 shows the sandbox host's and the Worker's logs in a test run (to see why a test hangs). */
function echoHost(options: { echo?: boolean }): boolean {
  return options.echo ?? process.env.NIGHTSHIFT_E2E_ECHO === "1";
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  await ensureRuntimeBundle();
  const ownState = !options.stateDir;
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), "nightshift-stack-"));
  const reposRoot = join(stateDir, "repos");
  mkdirSync(reposRoot, { recursive: true });
  // Each model API goes to the real provider when its key is set here, else to the scripted model
  // (which speaks all three wire formats), so every agent runs with no keys at all.
  const realProviders = options.forceScriptedModel
    ? []
    : MODEL_API_VARIABLES.filter(({ key }) => Boolean(process.env[key]));
  const useScripted = realProviders.length < MODEL_API_VARIABLES.length;
  const model = useScripted
    ? await startScriptedModel({ autopilot: true, autopilotChunkDelayMs: options.autopilotChunkDelayMs ?? 0 })
    : null;
  const hostSecret = `${crypto.randomUUID()}${crypto.randomUUID()}`;
  // The model keys and endpoints go to the Worker's model gateway, never to the sandbox host:
  // sandboxes call the model through the control plane (the runtime's relay adds their token).
  const modelVars: Record<string, string> = {};
  for (const api of MODEL_API_VARIABLES) {
    if (realProviders.includes(api)) {
      for (const name of [api.key, api.baseUrl]) {
        const value = process.env[name];
        if (value) modelVars[name] = value;
      }
    } else if (model) {
      Object.assign(modelVars, { [api.baseUrl]: model.url, [api.key]: api.scriptedKey });
    }
  }
  // Sandboxes live where an unprivileged sandbox uid can reach them (a root host drops to one),
  // whatever the state directory's parents allow: a `mktemp -d` or a home directory is private.
  const sandboxesDir = mkdtempSync(join(tmpdir(), "nightshift-sandboxes-"));
  chmodSync(sandboxesDir, 0o711);
  const host = await startSandboxHost({
    // A developer's machine: local repositories, and the labelled fallback where bwrap does not work.
    mode: "local",
    secret: hostSecret,
    port: 0,
    reposRoot,
    dataDir: sandboxesDir,
    runtimePath: RUNTIME_BUNDLE,
    hostEnv: withoutModelVariables(process.env),
    ...(echoHost(options) ? {} : { log: silentHostLogger }),
  });
  let worker: RunningWorker;
  try {
    worker = await startWorker({
      ...(options.port ? { port: options.port } : {}),
      persistDir: join(stateDir, "wrangler"),
      echo: options.echo ?? process.env.NIGHTSHIFT_E2E_ECHO === "1",
      vars: {
        ...(ownState ? localSecrets() : persistentLocalSecrets(stateDir)),
        SANDBOX_HOST_URL: host.url,
        SANDBOX_HOST_SECRET: hostSecret,
        ...modelVars,
        ...(options.github ? githubVars(options.github) : {}),
        ...options.vars,
      },
    });
  } catch (err) {
    await host.close();
    await model?.close();
    rmSync(sandboxesDir, { recursive: true, force: true });
    throw err;
  }
  const { headers, tenantId } = await devLogin(worker.url);
  return {
    url: worker.url,
    reposRoot,
    stateDir,
    model,
    host,
    hostSecret,
    worker,
    headers: { ...headers, "content-type": "application/json" },
    tenantId,
    async close() {
      await worker.close();
      await host.close();
      await model?.close();
      rmSync(sandboxesDir, { recursive: true, force: true });
      if (ownState) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
