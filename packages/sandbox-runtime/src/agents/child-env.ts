/**
 * The environment an agent CLI starts with. The runtime's own environment holds its sandbox
 * token and whatever the host set; none of it reaches the CLI except a short allowlist of
 * variables a shell tool needs to behave (PATH, locale, temp dir, proxies, CA bundles).
 */
import { PROXY_VARIABLES } from "../process/proxy-variables";

/** Passed through from the runtime's environment when set. */
export const INHERITED_VARIABLES = [
  "PATH",
  "LANG",
  "LC_ALL",
  "LC_CTYPE",
  "TZ",
  "TMPDIR",
  "SHELL",
  "USER",
  "LOGNAME",
  // The sandbox reaches the network through an egress proxy; tools must see it too.
  ...PROXY_VARIABLES,
  "NODE_EXTRA_CA_CERTS",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
] as const;

export interface ChildEnvInput {
  parent: Readonly<Record<string, string | undefined>>;
  home: string;
  /** The adapter's variables (defaults the request may override). */
  adapterEnv: Record<string, string>;
  /** The request's variables (model endpoint and key, secrets). */
  requestEnv: Record<string, string>;
}

/** allowlisted parent variables → fixed defaults → adapter env → request env; HOME is always the request's. */
export function buildChildEnv(input: ChildEnvInput): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED_VARIABLES) {
    const value = input.parent[name];
    if (value !== undefined) env[name] = value;
  }
  env.PATH ??= "/usr/local/bin:/usr/bin:/bin";
  env.LANG ??= "C.UTF-8";
  // No terminal: keep CLIs from drawing spinners and colours into the JSON stream.
  env.TERM = "dumb";
  env.NO_COLOR = "1";
  Object.assign(env, input.adapterEnv, input.requestEnv);
  env.HOME = input.home;
  return env;
}

const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH/i;
const MIN_SECRET_LENGTH = 6;

/** Values of the request's variables whose names look secret, longest first. */
export function secretValues(requestEnv: Record<string, string>): string[] {
  return Object.entries(requestEnv)
    .filter(([name, value]) => SECRET_NAME.test(name) && value.length >= MIN_SECRET_LENGTH)
    .map(([, value]) => value)
    .sort((a, b) => b.length - a.length);
}

/** Masks every secret value in free text the agent layer writes itself (stderr excerpts). */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let masked = text;
  for (const secret of secrets) masked = masked.split(secret).join("[redacted]");
  return masked;
}
