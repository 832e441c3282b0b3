/**
 * The composition root: reads the environment, builds the buffer, sink, bridge and session
 * controller, wires signals and control frames, and resolves with the process exit code.
 * `main.ts` supplies the agent layer's `runTurn`; tests supply their own.
 */
import { mkdirSync, realpathSync } from "node:fs";
import { join } from "node:path";
import type { RunTurn } from "./agents/contract";
import { defaultAdapters } from "./agents/registry";
import { egressSettingsOf } from "./bootstrap/egress-settings";
import { bootstrapEnvironment } from "./bootstrap/exchange";
import { BridgeClient, type InboundControl } from "./bridge/bridge-client";
import { SandboxToken } from "./bridge/sandbox-token";
import { EventBuffer } from "./buffer/event-buffer";
import { incarnationBufferDir } from "./buffer/incarnation-buffer";
import { sessionConversation } from "./conversation/session-conversation";
import { parseRuntimeEnv } from "./env";
import { EventSink } from "./events/event-sink";
import { createMasker } from "./events/mask-secrets";
import { StreamEventMasker } from "./events/stream-events";
import { createLogger, type LogLevel } from "./log";
import { applyModelRelay } from "./model-relay/agent-model-env";
import { startModelRelay } from "./model-relay/model-relay";
import { startSandboxNetwork } from "./network/sandbox-network";
import { probeInnerSandbox } from "./process/inner-sandbox";
import { ProducerGate } from "./process/producer-gate";
import { SessionController } from "./session/session-controller";
import { RUNTIME_VERSION } from "./version";
import { answerCredentialRequest } from "./workspace/credential-answer";
import {
  CREDENTIAL_REPO_ENV,
  CREDENTIAL_TOKEN_ENV,
  CREDENTIAL_URL_ENV,
  credentialHelperCommand,
} from "./workspace/credential-helper";
import { createGit, gitEnvironment } from "./workspace/git";
import { claimStateDir } from "./workspace/state-dir-claim";
import { workspaceSteps } from "./workspace/warm-start";

export interface RuntimeInput {
  runTurn: RunTurn;
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
}

const SHORT_SECRET = 6;

/** What the agent CLI and the repo hooks may see: the sandbox env without Nightshift's own variables. */
function childEnvironment(env: NodeJS.ProcessEnv, home: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && !name.startsWith("NIGHTSHIFT_")) out[name] = value;
  }
  out.HOME = home;
  return out;
}

export async function runRuntime(input: RuntimeInput): Promise<number> {
  if (input.argv[2] === "git-credential") {
    return answerCredentialRequest(input.argv[3], input.env);
  }

  const level = (["debug", "info", "warn", "error"] as const).find(
    (l) => l === input.env.NIGHTSHIFT_LOG_LEVEL,
  );
  const log = createLogger((level ?? "info") as LogLevel);
  // First thing: with an isolated network, every dial-out (the bootstrap exchange and the bridge
  // included) goes through this.
  const egress = egressSettingsOf(input.env);
  const started = egress.ok
    ? await startSandboxNetwork(egress.settings)
    : { ok: false as const, problem: egress.problem };
  if (!started.ok) {
    process.stderr.write(`nightshift-runtime: ${started.problem}\n`);
    return 2;
  }
  const network = started.network;
  // A sandbox created with only a bootstrap token fetches the rest of its environment now.
  const bootstrapped = await bootstrapEnvironment(input.env, { warn: (line) => log.warn(line) });
  if (!bootstrapped.ok) {
    process.stderr.write(`nightshift-runtime: ${bootstrapped.problem}\n`);
    await network.close();
    return 2;
  }
  const runtimeEnv = bootstrapped.env;
  const parsed = parseRuntimeEnv(runtimeEnv);
  if (!parsed.ok) {
    for (const problem of parsed.problems) process.stderr.write(`nightshift-runtime: ${problem}\n`);
    await network.close();
    return 2;
  }
  const env = parsed.env;
  if (parsed.secretValues.some((value) => value.length < SHORT_SECRET)) {
    log.warn(
      `a secret shorter than ${SHORT_SECRET} characters is masked wherever it appears, which may garble output`,
    );
  }

  // Before anything reads the state dir: another session's (a whole-filesystem snapshot) is emptied.
  const claim = claimStateDir(env.NIGHTSHIFT_STATE_DIR, env.NIGHTSHIFT_SESSION_ID);
  if (claim === "emptied") log.info("the state dir belonged to another session's snapshot; emptied it");
  const agentHome = join(env.NIGHTSHIFT_STATE_DIR, "agent-home");
  mkdirSync(agentHome, { recursive: true });
  const buffer = new EventBuffer({
    // A resumed sandbox may start from a provider snapshot of the last one: not its buffer.
    dir: incarnationBufferDir(env.NIGHTSHIFT_STATE_DIR, env.NIGHTSHIFT_RESUME === "1"),
    maxBytes: env.NIGHTSHIFT_BUFFER_MAX_BYTES,
  });
  const mask = createMasker(parsed.secretValues);
  let bridge: BridgeClient | null = null;
  const sink = new EventSink({
    buffer,
    mask,
    streams: new StreamEventMasker(parsed.secretValues),
    onAppended: () => bridge?.notify(),
    gate: new ProducerGate(log),
    log,
  });
  network.reportDenials(sink.emit);

  const bundlePath = realpathSync(input.argv[1] ?? process.argv[1] ?? "");
  // Renewed over the bridge; git's credential helper reads the newest one from its environment.
  const sandboxToken = new SandboxToken(env.NIGHTSHIFT_SANDBOX_TOKEN);
  const gitEnv = gitEnvironment(runtimeEnv, {
    credentials: () => ({
      [CREDENTIAL_URL_ENV]: env.NIGHTSHIFT_CONTROL_PLANE_URL,
      [CREDENTIAL_TOKEN_ENV]: sandboxToken.current(),
      [CREDENTIAL_REPO_ENV]: env.NIGHTSHIFT_REPO_URL,
    }),
    credentialHelper: credentialHelperCommand(process.execPath, bundlePath),
  });
  // The agent's model endpoint: the relay adds the sandbox token; the agent holds no key and no token.
  const modelRelay = await startModelRelay({
    controlPlaneUrl: env.NIGHTSHIFT_CONTROL_PLANE_URL,
    token: () => sandboxToken.current(),
  });
  const childEnv = applyModelRelay(childEnvironment(runtimeEnv, agentHome), modelRelay);

  let resolveExit: (code: number) => void = () => {};
  const exit = new Promise<number>((resolve) => {
    resolveExit = resolve;
  });

  // Cold (clone), warm (seeded from a prebuilt snapshot: fetch and check out) or a prebuild itself.
  const workspace = workspaceSteps({
    repoUrl: env.NIGHTSHIFT_REPO_URL,
    workdir: env.NIGHTSHIFT_WORKDIR,
    branch: env.NIGHTSHIFT_BRANCH,
    baseBranch: env.NIGHTSHIFT_BASE_BRANCH || undefined,
    gitEnv,
    emit: sink.emit,
    log,
    stateDir: env.NIGHTSHIFT_STATE_DIR,
    prebuild: env.NIGHTSHIFT_PREBUILD === "1",
    hooks: {
      timeoutMs: env.NIGHTSHIFT_HOOK_TIMEOUT_MS,
      env: childEnv,
      home: agentHome,
      hiddenPaths: [env.NIGHTSHIFT_STATE_DIR],
    },
    onPrepared: (start, head) => bridge?.reportWorkspace({ start, head }),
  });
  const controller = new SessionController({
    agent: env.NIGHTSHIFT_AGENT,
    model: env.NIGHTSHIFT_MODEL,
    branch: env.NIGHTSHIFT_BRANCH,
    workdir: env.NIGHTSHIFT_WORKDIR,
    maxTurns: env.NIGHTSHIFT_MAX_TURNS,
    turnTimeoutMs: env.NIGHTSHIFT_TURN_TIMEOUT_MS,
    agentHome,
    hiddenPaths: [env.NIGHTSHIFT_STATE_DIR],
    agentEnv: childEnv,
    emit: sink.emit,
    endStreams: () => sink.endStreams(),
    waitForRoom: () => sink.waitForRoom(),
    bridge: {
      setIdle: (idle, announce) => bridge?.setIdle(idle, announce),
      flush: (ms) => bridge?.flush(ms) ?? Promise.resolve(false),
    },
    runTurn: input.runTurn,
    conversation: sessionConversation({
      env,
      adapters: defaultAdapters,
      agentHome,
      token: () => sandboxToken.current(),
      emit: sink.emit,
      log,
    }),
    git: createGit(env.NIGHTSHIFT_WORKDIR, gitEnv, { repoUrl: env.NIGHTSHIFT_REPO_URL }),
    pushUrl: env.NIGHTSHIFT_REPO_URL,
    prepareWorkspace: () => workspace.prepare(),
    runHooks: () => workspace.runHooks(),
    mask,
    log,
  });

  let ending = false;
  const stop = async (reason: string, code: number, flush: boolean) => {
    if (ending) return;
    ending = true;
    sink.endStreams();
    await controller.shutdown(reason, flush);
    await bridge?.stop(reason);
    await modelRelay.close();
    await network.close();
    buffer.close();
    resolveExit(code);
  };

  bridge = new BridgeClient({
    controlPlaneUrl: env.NIGHTSHIFT_CONTROL_PLANE_URL,
    token: sandboxToken,
    runtimeVersion: RUNTIME_VERSION,
    buffer,
    log,
    onControl: (frame: InboundControl) => {
      if (frame.type === "shutdown")
        void stop(`the control plane asked to shut down: ${frame.reason}`, 0, true);
      else controller.handleControl(frame);
    },
    onFinal: (outcome) => void stop(outcome.message, outcome.exitCode, false),
  });

  const onSignal = (signal: NodeJS.Signals) => void stop(`received ${signal}`, 0, true);
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);

  log.info(
    `nightshift runtime ${RUNTIME_VERSION} for session ${env.NIGHTSHIFT_SESSION_ID} (agent ${env.NIGHTSHIFT_AGENT})`,
  );
  bridge.start();
  // The nested sandbox's self-test (one bwrap start) runs beside the clone instead of in front of
  // the first hook or turn; its answer is kept, and every launch still waits for it.
  void probeInnerSandbox();
  void controller.start().then((ok) => {
    if (!ok && !ending) {
      log.error("the sandbox could not start; see the error event above");
      void stop("start failed", 1, true);
    }
  });

  const code = await exit;
  process.off("SIGTERM", onSignal);
  process.off("SIGINT", onSignal);
  return code;
}
