/**
 * The sandbox bootstrap exchange (issue 13): a sandbox is created knowing only where the control
 * plane is, its session, and a one-time bootstrap token. The runtime trades that token at
 * `POST <control plane>/sandbox/bootstrap` for the rest of its environment (the RuntimeEnv
 * variables: sandbox token, repository, branch, agent, secrets). Nothing secret sits in a
 * provider's create request, so nothing secret reaches a provider's API, labels or dashboard.
 */
import { z } from "zod";

/** Where the runtime exchanges its bootstrap token, under the control plane's base URL. */
export const SANDBOX_BOOTSTRAP_PATH = "/sandbox/bootstrap";

/** The variable that carries the one-time bootstrap token into a sandbox. */
export const BOOTSTRAP_TOKEN_VARIABLE = "NIGHTSHIFT_BOOTSTRAP_TOKEN";

/** The only variables a sandbox is created with: no secret, no repository credential, no model key. */
export const BOOTSTRAP_VARIABLES = [
  "NIGHTSHIFT_CONTROL_PLANE_URL",
  "NIGHTSHIFT_SESSION_ID",
  BOOTSTRAP_TOKEN_VARIABLE,
] as const;

/** Exactly the bootstrap variables, each set: what every provider passes to its sandbox. */
export const BootstrapEnv = z.strictObject({
  NIGHTSHIFT_CONTROL_PLANE_URL: z.url({ protocol: /^https?$/ }),
  NIGHTSHIFT_SESSION_ID: z.string().min(1).max(100),
  NIGHTSHIFT_BOOTSTRAP_TOKEN: z.string().min(20).max(4096),
});
export type BootstrapEnv = z.infer<typeof BootstrapEnv>;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `200` answer of the exchange: the runtime's environment, built by the session at exchange time. */
export const BootstrapResponse = z.object({
  env: z.record(z.string().regex(ENV_NAME, "not an environment variable name"), z.string().max(64 * 1024)),
});
export type BootstrapResponse = z.infer<typeof BootstrapResponse>;
