/**
 * The host's log: one JSON object per line on stderr. Callers pass ids, states and codes only:
 * never an environment value, a request body or a secret.
 */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface HostLogger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

export function createHostLogger(
  write: (line: string) => void = (line) => process.stderr.write(line),
): HostLogger {
  const at =
    (level: "info" | "warn" | "error") =>
    (event: string, fields: LogFields = {}): void => {
      write(`${JSON.stringify({ time: new Date().toISOString(), level, event, ...fields })}\n`);
    };
  return { info: at("info"), warn: at("warn"), error: at("error") };
}

export const silentHostLogger: HostLogger = { info() {}, warn() {}, error() {} };
