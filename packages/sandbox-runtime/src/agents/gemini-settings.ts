/**
 * Gemini CLI's configuration for one turn. It is written as the *system* settings file
 * (GEMINI_CLI_SYSTEM_SETTINGS_PATH, in the private HOME), the layer that overrides the user's
 * and the workspace's: a repository's own `.gemini/settings.json` cannot turn telemetry or usage
 * statistics back on, pick another auth method (OAuth would call Google), start a Docker
 * sandbox, or lift the turn cap. Every setting named here is in the CLI's settings schema
 * (docs/reference/configuration.md of @google/gemini-cli 0.61.0).
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

export function systemSettingsPath(home: string): string {
  return join(geminiDir(home), "nightshift-system-settings.json");
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
    systemSettingsPath(request.home),
    `${JSON.stringify(geminiSettings(request.maxTurns), null, 2)}\n`,
    { mode: 0o600 },
  );
}
