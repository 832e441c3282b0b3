/**
 * Gemini CLI's configuration for one turn, written as the user settings file
 * (~/.gemini/settings.json in the private HOME). Every setting named here is in the CLI's settings
 * schema (docs/reference/configuration.md of @google/gemini-cli 0.61.0).
 *
 * Not the *system* settings layer (GEMINI_CLI_SYSTEM_SETTINGS_PATH), although it would also
 * override a repository's own `.gemini/settings.json`: the CLI skips that file unless it and every
 * directory above it are owned by root and not group/other-writable, which a sandbox's HOME under
 * /tmp or a non-root user never is. What a workspace file could turn back on that matters is
 * pinned by environment variables instead (launch env: telemetry, the Docker sandbox), and the
 * model endpoint and key come from the environment, which settings cannot change.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { TurnRequest } from "./contract";
import { TURN_ID_VARIABLE } from "./process-group";

/** Attempts per model call (the CLI's default is 10, with 5 s → 30 s backoff): 2 retries, like Claude Code's. */
export const MODEL_CALL_ATTEMPTS = 3;

/** Where the CLI's own state lives under HOME (sessions, the project registry). */
export function geminiDir(home: string): string {
  return join(home, ".gemini");
}

export function settingsPath(home: string): string {
  return join(geminiDir(home), "settings.json");
}

export function geminiSettings(maxTurns: number): Record<string, unknown> {
  return {
    // GOOGLE_GEMINI_BASE_URL alone selects the "gateway" auth type, which headless mode refuses.
    security: {
      auth: { selectedType: "gemini-api-key" },
      // Left on for secrets' sake would also strip the variable the runner finds a turn's processes by.
      environmentVariableRedaction: { allowed: [TURN_ID_VARIABLE] },
    },
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false, logPrompts: false },
    general: {
      enableAutoUpdate: false,
      enableAutoUpdateNotification: false,
      maxAttempts: MODEL_CALL_ATTEMPTS,
      checkpointing: { enabled: false },
      // Old chats must stay resumable: the runtime, not the CLI, decides when a session is gone.
      sessionRetention: { enabled: false },
    },
    // Model calls per invocation (the CLI counts them per process, so a resumed session gets the full cap).
    model: { maxSessionTurns: maxTurns },
    // No ripgrep download; no Docker/Podman sandbox (the runtime's inner sandbox is the isolation).
    tools: { useRipgrep: false, sandbox: false },
    ide: { enabled: false },
    // A repository's .env must not steer the CLI (its base URL and key come from the runtime).
    advanced: { autoConfigureMemory: false, ignoreLocalEnv: true },
  };
}

/** Writes the settings for this turn (the turn cap may change between turns). */
export async function writeGeminiSettings(request: TurnRequest): Promise<void> {
  await mkdir(geminiDir(request.home), { recursive: true, mode: 0o700 });
  await writeFile(
    settingsPath(request.home),
    `${JSON.stringify(geminiSettings(request.maxTurns), null, 2)}\n`,
    { mode: 0o600 },
  );
}
