/**
 * The runtime's own diagnostics: one line per message on stderr, never event data. The host
 * keeps this stream in the sandbox's runtime.log; nothing here may carry a secret value.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export function createLogger(
  minLevel: LogLevel = "info",
  write: (line: string) => void = (line) => process.stderr.write(line),
): Logger {
  const at =
    (level: LogLevel) =>
    (message: string): void => {
      if (ORDER[level] < ORDER[minLevel]) return;
      write(`${new Date().toISOString()} nightshift-runtime ${level}: ${message}\n`);
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** A logger that drops everything (tests that do not assert on diagnostics). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
