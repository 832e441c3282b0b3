/**
 * Gemini CLI's configuration for one turn. Every setting named here is in the CLI's settings
 * schema (docs/reference/configuration.md of @google/gemini-cli 0.61.0).
 *
 * Written as the user settings file (~/.gemini/settings.json in the private HOME) and, where the
 * CLI will read it, also as the *system* settings file (GEMINI_CLI_SYSTEM_SETTINGS_PATH): the one
 * layer over a repository's own `.gemini/settings.json`, so a hostile repository cannot turn usage
 * statistics back on or lift the turn cap. (The CLI merges the workspace layer only for a trusted
 * folder; `--skip-trust` trusts it just after the first settings load, but settings read again
 * later, as after a slow start past their 10 s cache, include it.) The CLI skips a system file
 * unless it and every directory above it are owned by root and not group/other-writable (a HOME
 * under /tmp, or a non-root sandbox user, is not); then the user file alone applies, and what
 * matters most is pinned by environment variables anyway (launch env: telemetry, the Docker
 * sandbox; the model endpoint and key come from the environment, which settings cannot change).
 */
import { existsSync, statSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { TurnRequest } from "./contract";
import { realDirectory, replaceFile } from "./home-files";
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

export function systemSettingsPath(home: string): string {
  return join(geminiDir(home), "system-settings.json");
}

/** Whether Gemini CLI would read a system settings file in `dir`: root's all the way up, writable by root only. */
export function readableAsSystemSettings(dir: string): boolean {
  for (let at = dir; ; at = dirname(at)) {
    try {
      const stat = statSync(at);
      if (stat.uid !== 0 || (stat.mode & 0o022) !== 0) return false;
    } catch {
      return false;
    }
    if (dirname(at) === at) return true;
  }
}

/** The system settings file to point the CLI at, when prepare could write one it will read. */
export function systemSettingsIn(home: string): string | undefined {
  const path = systemSettingsPath(home);
  return existsSync(path) ? path : undefined;
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
  await mkdir(request.home, { recursive: true, mode: 0o700 });
  // The agent can write to HOME: a symlink planted at ~/.gemini is replaced, never followed.
  const dir = await realDirectory(request.home, [basename(geminiDir(request.home))]);
  const text = `${JSON.stringify(geminiSettings(request.maxTurns), null, 2)}\n`;
  await replaceFile(dir, basename(settingsPath(request.home)), text);
  if (process.getuid?.() === 0 && readableAsSystemSettings(dir)) {
    await replaceFile(dir, basename(systemSettingsPath(request.home)), text);
  } else {
    // A file the CLI would skip (with a warning on every start) is not left for launch to name.
    await rm(systemSettingsPath(request.home), { force: true });
  }
}
