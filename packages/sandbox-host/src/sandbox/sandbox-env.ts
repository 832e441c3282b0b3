/**
 * The environment the runtime gets, built from an allowlist and never from the host's whole
 * environment: PATH and LANG, the request's variables, the pass-through variables that are set
 * on the host, HOME, and the workdir and state dir where this sandbox shows them (the control
 * plane names them and the repository's git URL; see sandbox-paths.ts). It reaches the runtime
 * through the hand-off pipe (env-handoff.ts), never as the launcher's environment.
 * Names that change how a loader, an interpreter, a shell or git behaves are refused whole.
 */
import { unsafeEnvNameReason } from "@nightshift/protocol";
import { HostError } from "../http/host-error";

/** Names the host sets itself; a request may not override them. */
export const HOST_OWNED = [
  "PATH",
  "HOME",
  "TMPDIR",
  // Names the descriptor the runtime reads its variables from (env-handoff.ts).
  "NIGHTSHIFT_ENV_FD",
] as const;

/** Pass-through names whose values are credentials: the runtime masks them in every event. */
const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL/i;

export interface SandboxEnvInput {
  requestEnv: Record<string, string>;
  hostEnv: NodeJS.ProcessEnv;
  passEnv: readonly string[];
  nodeBinDir: string;
  /** Where the runtime sees its workdir and state dir: the request's paths, or the host's (no mount namespace). */
  workdir: string;
  home: string;
  stateDir: string;
  tmpDir: string | null;
  /** Set inside bubblewrap: tools that refuse to run as root unless sandboxed (Claude Code) read it. */
  sandboxed: boolean;
}

export function sandboxEnvironment(input: SandboxEnvInput): Record<string, string> {
  for (const name of HOST_OWNED) {
    if (name in input.requestEnv) {
      throw new HostError("invalid_request", `env.${name} is set by the sandbox host and cannot be sent`);
    }
  }
  for (const name of Object.keys(input.requestEnv)) {
    const reason = unsafeEnvNameReason(name);
    if (reason) throw new HostError("invalid_request", `env.${name}: ${reason}`);
  }
  const env: Record<string, string> = {
    PATH: `${input.nodeBinDir}:/usr/local/bin:/usr/bin:/bin`,
    LANG: input.hostEnv.LANG || "C.UTF-8",
  };
  const passed: string[] = [];
  for (const name of input.passEnv) {
    const value = input.hostEnv[name];
    if (value !== undefined && value !== "") {
      env[name] = value;
      passed.push(name);
    }
  }
  Object.assign(env, input.requestEnv);
  const secretNames = [
    ...(input.requestEnv.NIGHTSHIFT_SECRET_NAMES ?? "").split(","),
    ...passed.filter((name) => SECRET_NAME.test(name)),
  ]
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  if (secretNames.length > 0) env.NIGHTSHIFT_SECRET_NAMES = [...new Set(secretNames)].join(",");
  env.HOME = input.home;
  env.NIGHTSHIFT_WORKDIR = input.workdir;
  env.NIGHTSHIFT_STATE_DIR = input.stateDir;
  if (input.tmpDir) env.TMPDIR = input.tmpDir;
  if (input.sandboxed) env.IS_SANDBOX = "1";
  return env;
}
