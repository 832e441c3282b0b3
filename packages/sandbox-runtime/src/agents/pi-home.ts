/**
 * What Pi finds in its private HOME before a turn, rewritten before every turn (the agent can
 * write to HOME, so nothing from an earlier turn is trusted):
 *
 * - `.pi/agent/models.json`: one custom provider, named after the model API, pointed at the base
 *   URL the request's env gives for that API (the model relay, or an operator's endpoint). Pi's
 *   built-in providers are never selected, so no call can go to a public endpoint. The key is the
 *   NAME of the variable holding it (Pi reads the variable), so no secret is written to disk.
 *   Models the price table knows carry their list price, so Pi's own cost figure is right.
 * - `.pi/agent/settings.json`: quiet, no install telemetry, Pi's own retries off (the provider
 *   SDKs still retry transient failures), so a failed model call ends the run once.
 * - `.pi/nightshift/turn.mjs`: a Pi extension enforcing the turn cap (Pi has none of its own) and
 *   undoing the one-space escape of a prompt Pi's argument parser would misread (see pi.ts).
 *
 * Facts relied on: @mariozechner/pi-coding-agent 0.73.1 docs/models.md, docs/settings.md,
 * docs/extensions.md.
 */

import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { AGENT_CATALOG, listedPriceOf, type ModelProvider, providerOfModel } from "@nightshift/protocol";
import { z } from "zod";
import type { TurnRequest } from "./contract";
import { realDirectory, replaceFile } from "./home-files";

/** Pi's wire API name, the request variables naming its endpoint and key, per model API. */
const PROVIDERS: Record<
  ModelProvider,
  { api: string; baseUrlVariable: string; keyVariable: string; pathSuffix: string }
> = {
  anthropic: {
    api: "anthropic-messages",
    baseUrlVariable: "ANTHROPIC_BASE_URL",
    keyVariable: "ANTHROPIC_API_KEY",
    pathSuffix: "",
  },
  // OPENAI_BASE_URL already ends in /v1, where Pi's OpenAI client expects the API root.
  openai: {
    api: "openai-completions",
    baseUrlVariable: "OPENAI_BASE_URL",
    keyVariable: "OPENAI_API_KEY",
    pathSuffix: "",
  },
  // GOOGLE_GEMINI_BASE_URL is the host (Gemini CLI adds the version); Pi wants the version in it.
  gemini: {
    api: "google-generative-ai",
    baseUrlVariable: "GOOGLE_GEMINI_BASE_URL",
    keyVariable: "GEMINI_API_KEY",
    pathSuffix: "/v1beta",
  },
};

const HttpUrl = z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, ""));

/** Pi's session ids are UUIDs (v7); anything else is refused before it reaches `--session`. */
export const PI_SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface PiModel {
  /** The model id sent to the API. */
  id: string;
  provider: ModelProvider;
  /** The models.json provider name: `--model <piProvider>/<id>`. */
  piProvider: string;
}

/** The request's model (or Pi's catalog default) and the model API it is called through. */
export function piModelOf(request: Pick<TurnRequest, "model">): PiModel {
  const catalog = AGENT_CATALOG.pi;
  const id = request.model ?? catalog.defaultModel;
  // A name no family claims (a self-hosted model) goes through the catalog's first API.
  const provider = providerOfModel(id) ?? catalog.providers[0] ?? "anthropic";
  return { id, provider, piProvider: `nightshift-${provider}` };
}

export const piAgentDir = (home: string) => join(home, ".pi", "agent");
/** Passed as `--session-dir`: Pi keeps one `<timestamp>_<session id>.jsonl` per session there. */
export const piSessionDir = (home: string) => join(piAgentDir(home), "sessions");
const EXTENSION_DIR = [".pi", "nightshift"];
const EXTENSION_FILE = "turn.mjs";
/** Written by `preparePiHome`, loaded with `--extension`. */
export const piExtensionPath = (home: string) => join(home, ...EXTENSION_DIR, EXTENSION_FILE);

/** Thrown by `preparePiHome` with a message for the person running the session. */
export class PiSetupError extends Error {}

export function piModelsJson(model: PiModel, env: Readonly<Record<string, string>>): object {
  const wiring = PROVIDERS[model.provider];
  const raw = env[wiring.baseUrlVariable];
  if (!raw) {
    throw new PiSetupError(
      `Pi calls ${model.id} through the ${model.provider} API, but ${wiring.baseUrlVariable} is not set (the model relay sets it); Pi is never pointed at a public endpoint by itself`,
    );
  }
  const baseUrl = HttpUrl.safeParse(raw);
  if (!baseUrl.success) {
    throw new PiSetupError(`${wiring.baseUrlVariable} is not an http(s) URL, so Pi cannot call the model`);
  }
  const price = listedPriceOf(model.provider, model.id);
  return {
    providers: {
      [model.piProvider]: {
        baseUrl: `${baseUrl.data}${wiring.pathSuffix}`,
        api: wiring.api,
        apiKey: wiring.keyVariable,
        models: [{ id: model.id, ...(price ? { cost: price } : {}) }],
      },
    },
  };
}

export function piSettingsJson(model: PiModel): object {
  return {
    defaultProvider: model.piProvider,
    defaultModel: model.id,
    quietStartup: true,
    enableInstallTelemetry: false,
    // One failed model call ends the run with one error; Pi's own retry would re-run the turn
    // after printing the failure (see pi-parser.ts on retry records).
    retry: { enabled: false },
  };
}

/**
 * The extension's source. Only a number and a boolean are interpolated (never request text), so
 * nothing a user typed becomes code.
 */
export function piExtensionSource(options: { maxTurns: number; promptEscaped: boolean }): string {
  const maxTurns = Math.max(1, Math.floor(options.maxTurns));
  return `// Written by Nightshift before each turn (sandbox-runtime src/agents/pi-home.ts).
const MAX_TURNS = ${JSON.stringify(maxTurns)};
const PROMPT_ESCAPED = ${JSON.stringify(options.promptEscaped)};

export default function nightshiftTurn(pi) {
  let turns = 0;
  // Pi has no turn cap: a model turn past the cap is aborted as it starts, which ends the run.
  pi.on("turn_start", (_event, ctx) => {
    turns += 1;
    if (turns > MAX_TURNS) void ctx.abort();
  });
  if (PROMPT_ESCAPED) {
    let first = true;
    // The prompt came with one leading space so that Pi's argument parser took it as the message.
    pi.on("input", (event) => {
      if (!first) return undefined;
      first = false;
      return { action: "transform", text: event.text.slice(1) };
    });
  }
}
`;
}

/** Writes models.json, settings.json and the extension into the request's private HOME. */
export async function preparePiHome(request: TurnRequest, promptEscaped: boolean): Promise<void> {
  if (request.resumeSessionId !== undefined && !PI_SESSION_ID.test(request.resumeSessionId)) {
    throw new PiSetupError("the session to resume is not a Pi session id (a UUID)");
  }
  const model = piModelOf(request);
  const json = (value: object) => `${JSON.stringify(value, null, 2)}\n`;
  const models = json(piModelsJson(model, request.env));
  await mkdir(request.home, { recursive: true, mode: 0o700 });
  const agentDir = await realDirectory(request.home, [".pi", "agent"]);
  await realDirectory(agentDir, ["sessions"]);
  await replaceFile(agentDir, "models.json", models);
  await replaceFile(agentDir, "settings.json", json(piSettingsJson(model)));
  const extensionDir = await realDirectory(request.home, EXTENSION_DIR);
  await replaceFile(
    extensionDir,
    EXTENSION_FILE,
    piExtensionSource({ maxTurns: request.maxTurns, promptEscaped }),
  );
}
