/**
 * The environment a sandbox's runtime starts with. The provider sets it; the runtime
 * validates it with this schema and names any missing or bad variable.
 */
import { z } from "zod";
import { AgentName } from "./api.ts";

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const RuntimeEnv = z.object({
  NIGHTSHIFT_SESSION_ID: z.string().min(1),
  /** Base URL of the control plane, e.g. http://127.0.0.1:8787; the bridge dials <url>/sandbox/connect. */
  NIGHTSHIFT_CONTROL_PLANE_URL: z.string().url(),
  /** Bearer token for /sandbox/* (a JWT: aud "sandbox", sub session, tenant, per-incarnation jti). */
  NIGHTSHIFT_SANDBOX_TOKEN: z.string().min(20),
  /** What to clone and push: the control plane's git proxy for the session's repository (or, in tests, a local path). */
  NIGHTSHIFT_REPO_URL: z.string().min(1),
  /** The session branch to create and push, e.g. nightshift/fix-tests-ab12cd34. */
  NIGHTSHIFT_BRANCH: z.string().min(1),
  /** Branch to start from; the remote's default branch when empty. */
  NIGHTSHIFT_BASE_BRANCH: z.string().optional(),
  NIGHTSHIFT_AGENT: AgentName,
  NIGHTSHIFT_MODEL: z.string().optional(),
  /** Where the repository is cloned (the agent's cwd). */
  NIGHTSHIFT_WORKDIR: z.string().min(1),
  /** Where the runtime keeps its unacked-event buffer and agent state. */
  NIGHTSHIFT_STATE_DIR: z.string().min(1),
  /** Agent turns (model round trips) allowed per prompt. */
  NIGHTSHIFT_MAX_TURNS: positiveInt(50),
  /** Wall-clock limit of one prompt's agent run. */
  NIGHTSHIFT_TURN_TIMEOUT_MS: positiveInt(30 * 60_000),
  /** Time limit of .nightshift/setup.sh and .nightshift/start.sh each. */
  NIGHTSHIFT_HOOK_TIMEOUT_MS: positiveInt(10 * 60_000),
  /** Largest unacked-event buffer kept on disk before the runtime pauses the agent. */
  NIGHTSHIFT_BUFFER_MAX_BYTES: positiveInt(64 * 1024 * 1024),
  /**
   * "1" when this sandbox resumes a paused session: the runtime restores the agent's saved
   * conversation (GET /sandbox/conversation) before the first turn and continues the session branch.
   */
  NIGHTSHIFT_RESUME: z.enum(["0", "1"]).optional(),
  /**
   * "1" in a warm-start prebuild: clone the default branch, run the setup hook, mark the workspace
   * as prebuilt (`.git/nightshift-warm.json`) and report ready; no agent runs, nothing is pushed.
   */
  NIGHTSHIFT_PREBUILD: z.enum(["0", "1"]).optional(),
  /** With NIGHTSHIFT_RESUME: the agent CLI's own session id to resume (e.g. Claude Code's --resume id). */
  NIGHTSHIFT_AGENT_SESSION_ID: z.string().min(1).max(200).optional(),
  /** Comma-separated names of environment variables whose values must be masked in every event. */
  NIGHTSHIFT_SECRET_NAMES: z.string().optional(),
  /**
   * With an isolated network: the host's egress proxy socket inside the sandbox. The runtime
   * listens on 127.0.0.1:NIGHTSHIFT_EGRESS_PORT first thing and pipes each connection to it.
   */
  NIGHTSHIFT_EGRESS_SOCKET: z.string().startsWith("/").optional(),
  NIGHTSHIFT_EGRESS_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
});
export type RuntimeEnv = z.infer<typeof RuntimeEnv>;

/**
 * Where the runtime finds its clone and its own state inside every sandbox. The control plane
 * sends these paths (a provider only creates and terminates); a provider with a mount namespace
 * (bubblewrap) binds the sandbox's directories there. They sit outside the system directories
 * and /tmp, which every sandbox gets from its provider.
 */
export const SANDBOX_WORKDIR = "/nightshift/work";
export const SANDBOX_STATE_DIR = "/nightshift/state";
/** Where a sandbox saves (PUT) and, when resuming, restores (GET) its agent's conversation archive. */
export const SANDBOX_CONVERSATION_PATH = "/sandbox/conversation";
/** The largest conversation archive (gzip) the control plane keeps per session. */
export const CONVERSATION_MAX_BYTES = 8 * 1024 * 1024;
/** The header a conversation upload names the agent CLI's session id in. */
export const AGENT_SESSION_HEADER = "x-nightshift-agent-session";
/** The path under the control plane where a sandbox's git remote lives (control-plane routes/sandbox-git.ts). */
export const SANDBOX_GIT_PATH = "/sandbox/git";

/** Where the host binds its egress proxy socket inside an isolated sandbox. */
export const SANDBOX_EGRESS_SOCKET = "/run/nightshift/egress.sock";
/** The port the runtime's forwarder listens on inside the sandbox (its own network namespace). */
export const SANDBOX_EGRESS_PORT = 3128;
/** Origin-form path on the egress socket that streams the sandbox's denied connections (JSON lines). */
export const EGRESS_DENIALS_PATH = "/.nightshift/egress-denials";

/** One line of the denials stream: what was refused and why (never a URL's query or credentials). */
export const EgressDenial = z.object({
  /** e.g. "CONNECT evil.example.com:443" or "POST 127.0.0.1:8787/auth/dev-login". */
  target: z.string().min(1).max(300),
  reason: z.string().min(1).max(300),
  /** Further denials of the same target folded into this line (rate limit). */
  repeats: z.number().int().nonnegative(),
});
export type EgressDenial = z.infer<typeof EgressDenial>;

/**
 * Node flags every provider starts the runtime with (`node <flags> runtime.mjs`). A small young
 * generation keeps the runtime's peak RSS well under its ~100 MB budget while events stream
 * through it (measured: about 4 MB lower peak on a 100k-event flood), at the cost of more frequent,
 * shorter scavenges, which an I/O-bound process does not notice.
 */
export const RUNTIME_NODE_FLAGS = ["--max-semi-space-size=4"] as const;
