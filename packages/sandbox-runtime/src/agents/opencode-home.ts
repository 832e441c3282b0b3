/**
 * OpenCode's private HOME and inline configuration.
 *
 * The configuration travels in `OPENCODE_CONFIG_CONTENT` (merged last, over the global and the
 * repository's own opencode.json, so the repository cannot re-point the model provider). It names
 * one provider for the session's model, on the wire API `providerOfModel` says (OpenAI Chat
 * Completions for gpt-*, o* and unknown models, Anthropic Messages for claude-*, Gemini for
 * gemini-*), with the bundled AI SDK package for it. Its base URL and key are `{env:…}`
 * references that OpenCode fills from the request's environment when it loads the config, so
 * every URL it calls is the model relay's, and no key is written anywhere.
 *
 * Sessions live in one SQLite database (`OPENCODE_DB`) in a directory of their own, so the saved
 * conversation is that database and nothing else of OpenCode's data (logs, snapshots).
 */
import { readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { AGENT_CATALOG, type ModelProvider, providerOfModel } from "@nightshift/protocol";
import { z } from "zod";
import type { TurnRequest } from "./contract";
import { realDirectory, replaceFile } from "./home-files";

/** The opencode-ai version this adapter was written against (its records: fixtures/opencode-*). */
export const OPENCODE_VERSION = "1.18.33";

/** OpenCode's session ids: "ses_" and base62. */
export const OPENCODE_SESSION_ID = /^ses_[A-Za-z0-9]{1,100}$/;

/** Model names OpenCode gets: no `{env:…}` / `{file:…}` substitution, no JSON or shell syntax. */
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}$/;

interface ProviderWire {
  /** The AI SDK package OpenCode bundles for this API (nothing is downloaded). */
  npm: string;
  baseUrlVariable: string;
  /** Appended to the relay's base URL: where the SDK expects the API root. */
  suffix: string;
  keyVariable: string;
}

const WIRES: Record<ModelProvider, ProviderWire> = {
  openai: {
    npm: "@ai-sdk/openai-compatible",
    baseUrlVariable: "OPENAI_BASE_URL",
    suffix: "",
    keyVariable: "OPENAI_API_KEY",
  },
  anthropic: {
    npm: "@ai-sdk/anthropic",
    baseUrlVariable: "ANTHROPIC_BASE_URL",
    suffix: "/v1",
    keyVariable: "ANTHROPIC_API_KEY",
  },
  gemini: {
    npm: "@ai-sdk/google",
    baseUrlVariable: "GOOGLE_GEMINI_BASE_URL",
    suffix: "/v1beta",
    keyVariable: "GEMINI_API_KEY",
  },
};

export interface OpencodeModel {
  /** As the session named it (or the catalog's default). */
  name: string;
  provider: ModelProvider;
  /** OpenCode's `provider/model` reference. */
  ref: string;
}

export function opencodeModelOf(request: Pick<TurnRequest, "model">): OpencodeModel {
  const name = request.model ?? AGENT_CATALOG.opencode.defaultModel;
  // A model no provider claims goes through the OpenAI-compatible API, the one gateways speak.
  const provider = providerOfModel(name) ?? "openai";
  return { name, provider, ref: `nightshift-${provider}/${name}` };
}

export function opencodePaths(home: string) {
  const configDir = join(home, ".config", "opencode");
  const sessionsDir = join(home, ".local", "share", "opencode", "sessions");
  return {
    configDir,
    sessionsDir,
    database: join(sessionsDir, "opencode.db"),
    env: {
      XDG_CONFIG_HOME: join(home, ".config"),
      XDG_DATA_HOME: join(home, ".local", "share"),
      XDG_CACHE_HOME: join(home, ".cache"),
      XDG_STATE_HOME: join(home, ".local", "state"),
      OPENCODE_DB: join(sessionsDir, "opencode.db"),
    },
  };
}

/** The inline configuration (OPENCODE_CONFIG_CONTENT) for one turn. */
export function opencodeConfig(model: OpencodeModel, maxTurns: number): object {
  const wire = WIRES[model.provider];
  const providerId = model.ref.slice(0, model.ref.indexOf("/"));
  return {
    provider: {
      [providerId]: {
        npm: wire.npm,
        name: "Nightshift model relay",
        options: {
          baseURL: `{env:${wire.baseUrlVariable}}${wire.suffix}`,
          apiKey: `{env:${wire.keyVariable}}`,
        },
        models: { [model.name]: { name: model.name } },
      },
    },
    model: model.ref,
    // Session titles and summaries use the same model: nothing else is configured or reachable.
    small_model: model.ref,
    autoupdate: false,
    share: "disabled",
    // Workspace snapshots are for the TUI's undo; a headless turn does not need a second git store.
    snapshot: false,
    // The turn cap: after `steps` model calls the build agent must answer without tools.
    agent: { build: { steps: maxTurns } },
  };
}

export class OpencodeSetupError extends Error {}

const HttpUrl = z
  .url()
  .refine((value) => /^https?:\/\//i.test(value), "not an http(s) URL")
  .refine((value) => !/["\\\s{}]/.test(value), "holds characters a URL does not need");

/** Refuses what the launch cannot use safely: a bad model name, a missing base URL, a foreign session id. */
export function checkOpencodeRequest(request: TurnRequest): OpencodeModel {
  const model = opencodeModelOf(request);
  if (!MODEL_NAME.test(model.name)) {
    throw new OpencodeSetupError(
      `the model name "${model.name.slice(0, 80)}" is not one OpenCode can be given (letters, digits and . _ : / @ + - only)`,
    );
  }
  const variable = WIRES[model.provider].baseUrlVariable;
  const baseUrl = request.env[variable];
  if (!baseUrl) {
    throw new OpencodeSetupError(
      `${variable} is not set; the model relay sets it for ${model.name}, or set it to the model API's base URL`,
    );
  }
  if (!HttpUrl.safeParse(baseUrl).success) {
    throw new OpencodeSetupError(`${variable} is not an http(s) URL`);
  }
  if (request.resumeSessionId !== undefined && !OPENCODE_SESSION_ID.test(request.resumeSessionId)) {
    throw new OpencodeSetupError("the session to resume is not an OpenCode session id (ses_…)");
  }
  return model;
}

/**
 * Creates the config and session directories. OpenCode runs `npm install @opencode-ai/plugin`
 * in its global config directory, in the background, whenever that directory has no
 * node_modules or a package.json dependency missing from package-lock.json: that would reach the
 * npm registry on every turn. The files written here are what it leaves behind after such an
 * install, so it has nothing to do (plugins are not used: nothing is downloaded or run).
 */
export async function prepareOpencodeHome(request: TurnRequest): Promise<void> {
  checkOpencodeRequest(request);
  await mkdir(request.home, { recursive: true, mode: 0o700 });
  const configDir = await realDirectory(request.home, [".config", "opencode"]);
  await realDirectory(configDir, ["node_modules"]);
  const dependencies = { "@opencode-ai/plugin": OPENCODE_VERSION };
  await replaceFile(configDir, "package.json", `${JSON.stringify({ dependencies })}\n`);
  await replaceFile(
    configDir,
    "package-lock.json",
    `${JSON.stringify({ name: "opencode", lockfileVersion: 3, requires: true, packages: { "": { dependencies } } })}\n`,
  );
  await realDirectory(request.home, [".local", "share", "opencode", "sessions"]);
}

/** Whether the session database (or its write-ahead log) in `directory` mentions `sessionId`. */
export function databaseHolds(directory: string, files: readonly string[], sessionId: string): boolean {
  if (!OPENCODE_SESSION_ID.test(sessionId) || !files.includes("opencode.db")) return false;
  const needle = Buffer.from(sessionId, "utf8");
  return ["opencode.db", "opencode.db-wal"]
    .filter((file) => files.includes(file))
    .some((file) => {
      try {
        return readFileSync(join(directory, file)).includes(needle);
      } catch {
        return false;
      }
    });
}
