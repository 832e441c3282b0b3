/**
 * What the control plane says about where the runtime works: the git remote (its git proxy) and
 * the workdir and state dir as the sandbox sees them (protocol's SANDBOX_WORKDIR and
 * SANDBOX_STATE_DIR). The host checks them and, under bubblewrap, binds the sandbox's own
 * directories there. A plain process has no mount namespace: there the host relocates the
 * runtime to the sandbox's directories on the host instead (labelled unisolated anyway).
 */
import { posix } from "node:path";
import { SANDBOX_STATE_DIR, SANDBOX_WORKDIR } from "@nightshift/protocol";
import { HostError } from "../http/host-error";

/** Where the runtime's HOME is shown under bubblewrap (the host owns HOME, so it is not in a request). */
export const SANDBOX_HOME_DIR = "/nightshift/home";

/** Mount points a sandbox path may not shadow or sit inside: the system, /tmp, /proc, /dev, /run. */
const RESERVED_ROOTS = [
  "/usr",
  "/bin",
  "/sbin",
  "/lib",
  "/lib32",
  "/lib64",
  "/libx32",
  "/etc",
  "/proc",
  "/dev",
  "/sys",
  "/tmp",
  "/run",
  "/var",
  "/root",
  "/home",
];
const SAFE_PATH = /^(\/[A-Za-z0-9._-]+)+$/;

export interface SandboxPaths {
  /** Absent when the runtime learns it from the bootstrap exchange (the control plane sends only bootstrap variables). */
  repoUrl: string | null;
  workdir: string;
  stateDir: string;
}

function within(path: string, root: string): boolean {
  return path === root || path.startsWith(`${root}/`);
}

function checkPath(name: string, path: string | undefined): string {
  if (!path) throw new HostError("invalid_request", `env.${name} is required: the control plane sets it`);
  if (!SAFE_PATH.test(path) || posix.normalize(path) !== path || path.split("/").includes("..")) {
    throw new HostError(
      "invalid_request",
      `env.${name} must be a plain absolute path (letters, digits, '.', '_', '-' and '/')`,
    );
  }
  const reserved = RESERVED_ROOTS.find((root) => within(path, root) || within(root, path));
  if (reserved || path === SANDBOX_HOME_DIR || within(SANDBOX_HOME_DIR, path)) {
    throw new HostError(
      "invalid_request",
      `env.${name} must not be or contain ${reserved ?? SANDBOX_HOME_DIR}: the sandbox gets that from its host`,
    );
  }
  return path;
}

/**
 * The request's repository URL and sandbox paths, checked; 400 with the variable's name otherwise.
 * A bootstrap request names none of them: the paths are then the fixed ones the control plane's
 * exchange will name (protocol's SANDBOX_WORKDIR / SANDBOX_STATE_DIR), and the repository URL
 * comes with the exchange.
 */
export function sandboxPathsOf(requestEnv: Record<string, string>): SandboxPaths {
  const repoUrl = requestEnv.NIGHTSHIFT_REPO_URL;
  if (repoUrl !== undefined && (!URL.canParse(repoUrl) || !/^https?:$/.test(new URL(repoUrl).protocol))) {
    throw new HostError(
      "invalid_request",
      "env.NIGHTSHIFT_REPO_URL must be the control plane's http:// or https:// git URL for the session's repository",
    );
  }
  const workdir = checkPath("NIGHTSHIFT_WORKDIR", requestEnv.NIGHTSHIFT_WORKDIR ?? SANDBOX_WORKDIR);
  const stateDir = checkPath("NIGHTSHIFT_STATE_DIR", requestEnv.NIGHTSHIFT_STATE_DIR ?? SANDBOX_STATE_DIR);
  if (within(workdir, stateDir) || within(stateDir, workdir)) {
    throw new HostError(
      "invalid_request",
      "env.NIGHTSHIFT_WORKDIR and env.NIGHTSHIFT_STATE_DIR must be separate directories (the agent must not reach the runtime's state)",
    );
  }
  return { repoUrl: repoUrl ?? null, workdir, stateDir };
}

/**
 * The repository URL as the runtime must dial it: when the sandbox reaches the control plane
 * through its egress forwarder (the control-plane URL was rewritten to it), a URL on the control
 * plane's origin is rewritten the same way, so git and its credential helper see one origin.
 */
export function throughForwarder(repoUrl: string, controlPlaneUrl: string, forwarderUrl: string): string {
  const repo = new URL(repoUrl);
  if (repo.origin !== new URL(controlPlaneUrl).origin) return repoUrl;
  return `${new URL(forwarderUrl).origin}${repo.pathname}${repo.search}`;
}
