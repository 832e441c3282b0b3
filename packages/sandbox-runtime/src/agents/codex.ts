/**
 * The Codex adapter: launches `codex exec --json` (@openai/codex 0.169.0); its output is read by
 * codex-parser.ts.
 *
 * Launch: a custom model provider pointed at `OPENAI_BASE_URL` (the built-in one ignores that
 * variable and tries api.openai.com over WebSockets first), keyed by `OPENAI_API_KEY`; no
 * approvals and no Codex sandbox (Nightshift's sandbox is the boundary, and Codex's own bwrap
 * sandbox cannot start inside Nightshift's inner one: every command failed with "setting up uid
 * map: Operation not permitted"); state in `$HOME/.codex`; every feature that would call out
 * (plugins, apps, analytics, update checks, model discovery) off, and the "wait for the network
 * forever" retry mode off, so an unreachable API fails the turn instead of hanging it. Codex has
 * no turn cap (no flag or setting limits model calls per run): `request.maxTurns` is not enforced
 * by the CLI; the turn's time limit bounds it.
 */
import { mkdir } from "node:fs/promises";
import { AGENT_CATALOG } from "@nightshift/protocol";
import { type AgentAdapter, type AgentLaunch, promptTooLongForArgv } from "./adapter";
import { CodexParser } from "./codex-parser";
import {
  codexHomeOf,
  findRollout,
  isRolloutOf,
  recordedTotalUsage,
  sessionsDirectoryOf,
} from "./codex-sessions";
import type { TurnRequest } from "./contract";

const PROVIDER_ID = "nightshift";
/**
 * Retries of a failed model call, both the HTTP-level ones (429, 5xx) and Codex's "Reconnecting"
 * turn-level ones (which also retry a 401). NIGHTSHIFT_CODEX_MAX_RETRIES in the request's env
 * overrides it (tests use 0).
 */
const DEFAULT_MAX_RETRIES = 2;
export const RETRIES_VARIABLE = "NIGHTSHIFT_CODEX_MAX_RETRIES";
/**
 * Features that reach services other than the model API (plugin and app catalogs on GitHub and
 * chatgpt.com, in-app updates, model discovery), and unbounded retries ("Reconnecting... waiting
 * for network" never gives up on an unreachable API).
 */
const DISABLED_FEATURES = [
  "unbounded_connection_retries",
  "plugins",
  "remote_plugin",
  "plugin_sharing",
  "apps",
  "in_app_updates",
  "api_key_model_discovery",
] as const;
/** Codex thread ids are UUIDs (v7); anything else is refused before it reaches the command line. */
const THREAD_ID = /^[0-9A-Za-z][0-9A-Za-z._-]{0,127}$/;
/** Where a missing or unusable OPENAI_BASE_URL points Codex: nothing listens there (discard port). */
const NOWHERE = "http://127.0.0.1:9/v1";

/** The request's OPENAI_BASE_URL when it is an http(s) URL, else undefined. */
export function modelBaseUrl(env: Record<string, string>): string | undefined {
  const raw = env.OPENAI_BASE_URL;
  if (!raw) return undefined;
  try {
    const url = new URL(raw);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href.replace(/\/$/, "") : undefined;
  } catch {
    return undefined;
  }
}

function retriesOf(env: Record<string, string>): number {
  const raw = env[RETRIES_VARIABLE];
  const value = raw?.trim() ? Number(raw) : Number.NaN;
  return Number.isInteger(value) && value >= 0 && value <= 10 ? value : DEFAULT_MAX_RETRIES;
}

function modelOf(request: TurnRequest): string {
  return request.model ?? AGENT_CATALOG.codex.defaultModel;
}

/** A TOML basic string: JSON's escaping (\", \\, \uXXXX) is valid TOML. */
const tomlString = (value: string) => JSON.stringify(value);

export const codex: AgentAdapter = {
  agent: "codex",
  displayName: "Codex",
  binary: {
    name: "codex",
    npmPackage: "@openai/codex",
    install:
      "run `pnpm install` in the Nightshift checkout (packages/sandbox-runtime depends on @openai/codex), or `npm install -g @openai/codex@0.169.0`",
  },

  async prepare(request) {
    await mkdir(codexHomeOf(request.home), { recursive: true });
    const resumed = request.resumeSessionId;
    if (resumed === undefined) return;
    // The id is an argv element of its own: one that looks like an option must never reach it.
    if (!THREAD_ID.test(resumed)) throw new Error(`"${resumed.slice(0, 80)}" is not a Codex thread id`);
    if (!findRollout(sessionsDirectoryOf(request.home), resumed)) {
      throw new Error(
        `Codex's thread ${resumed} is not saved in this HOME (no ${sessionsDirectoryOf(request.home)}/**/rollout-*-${resumed}.jsonl), so it cannot be resumed; send the prompt in a new session`,
      );
    }
  },

  launch(request): AgentLaunch {
    const onStdin = promptTooLongForArgv(request.text);
    const retries = retriesOf(request.env);
    const provider = [
      `name="Nightshift"`,
      `base_url=${tomlString(modelBaseUrl(request.env) ?? NOWHERE)}`,
      `wire_api="responses"`,
      `env_key="OPENAI_API_KEY"`,
      `request_max_retries=${retries}`,
      `stream_max_retries=${retries}`,
    ].join(",");
    const args = [
      "exec",
      "--json",
      "--skip-git-repo-check",
      "--dangerously-bypass-approvals-and-sandbox",
      "--color",
      "never",
      // Joined to its flag, so a model name starting with "-" is never read as an option.
      `--model=${modelOf(request)}`,
      "--config",
      `model_provider="${PROVIDER_ID}"`,
      "--config",
      `model_providers.${PROVIDER_ID}={${provider}}`,
      "--config",
      "analytics.enabled=false",
      "--config",
      "check_for_update_on_startup=false",
      ...DISABLED_FEATURES.flatMap((feature) => ["--disable", feature]),
      ...(request.resumeSessionId ? ["resume", request.resumeSessionId] : []),
      // A prompt too long for argv is read from stdin: Codex takes "-" as "the prompt is on stdin".
      "--",
      onStdin ? "-" : request.text,
    ];
    // RUST_BACKTRACE=0: a startup error is one line on stderr, not a stack of "<unknown>" frames.
    const env = { CODEX_HOME: codexHomeOf(request.home), RUST_BACKTRACE: "0" };
    return {
      args,
      env,
      ...(request.resumeSessionId ? { sessionId: request.resumeSessionId } : {}),
      ...(onStdin ? { stdin: request.text } : {}),
    };
  },

  createParser(request, launch) {
    return new CodexParser({
      threadId: launch.sessionId,
      idPrefix: request.promptId,
      model: modelOf(request),
      usageBefore: request.resumeSessionId
        ? recordedTotalUsage(request.home, request.resumeSessionId)
        : undefined,
      baseUrlMissing: modelBaseUrl(request.env) === undefined,
    });
  },

  // Threads live in $CODEX_HOME/sessions/YYYY/MM/DD/rollout-<time>-<thread id>.jsonl; `exec resume`
  // finds them there (the sqlite files beside them are caches it rebuilds).
  conversationFiles(home) {
    return {
      directory: sessionsDirectoryOf(home),
      holdsSession: (files, sessionId) => files.some((file) => isRolloutOf(file, sessionId)),
    };
  },
};
