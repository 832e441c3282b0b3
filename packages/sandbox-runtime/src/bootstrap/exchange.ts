/**
 * The runtime's side of the bootstrap exchange. A sandbox a provider created holds only the
 * control-plane URL, its session id and a one-time bootstrap token; before anything else the
 * runtime trades the token at `POST <control plane>/sandbox/bootstrap` for its environment and
 * merges the answer (merge.ts). Transient failures (no answer, 408, 429, 5xx) are retried with
 * the bridge's backoff, a bounded number of times; any other refusal ends the runtime with one
 * line saying why (the token is spent, expired, or the session ended). The token never appears
 * in a message: every text that leaves this module has it masked.
 */
import {
  BOOTSTRAP_TOKEN_VARIABLE,
  BootstrapResponse,
  ErrorBody,
  SANDBOX_BOOTSTRAP_PATH,
} from "@nightshift/protocol";
import { Backoff } from "../bridge/backoff";
import { type Env, mergeBootstrapAnswer } from "./merge";

export interface BootstrapOptions {
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  backoff?: Backoff;
  /** Attempts in all, the first included. */
  maxAttempts?: number;
  attemptTimeoutMs?: number;
  /** One line per failed attempt that will be retried. */
  warn?: (line: string) => void;
}

export type BootstrapOutcome = { ok: true; env: Env } | { ok: false; problem: string };

const DEFAULT_ATTEMPTS = 8;
const DEFAULT_TIMEOUT_MS = 15_000;
const MASK = "[bootstrap token]";

type Attempt =
  | { kind: "answer"; env: Record<string, string> }
  | { kind: "transient"; reason: string }
  | { kind: "refused"; reason: string };

function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

async function refusalText(res: Response): Promise<string> {
  const body = ErrorBody.safeParse(await res.json().catch(() => null));
  if (!body.success) return `HTTP ${res.status}`;
  return `HTTP ${res.status} ${body.data.error.code}: ${body.data.error.message.slice(0, 300)}`;
}

async function attemptExchange(url: string, token: string, options: BootstrapOptions): Promise<Attempt> {
  const fetchImpl = options.fetch ?? fetch;
  let res: Response;
  try {
    res = await fetchImpl(url, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, accept: "application/json" },
      signal: AbortSignal.timeout(options.attemptTimeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  } catch (err) {
    const timedOut = err instanceof Error && err.name === "TimeoutError";
    return { kind: "transient", reason: timedOut ? `no answer from ${url} in time` : `cannot reach ${url}` };
  }
  if (!res.ok) {
    const reason = await refusalText(res);
    return isTransientStatus(res.status) ? { kind: "transient", reason } : { kind: "refused", reason };
  }
  const parsed = BootstrapResponse.safeParse(await res.json().catch(() => null));
  if (!parsed.success) return { kind: "refused", reason: "its answer is not an environment" };
  return { kind: "answer", env: parsed.data.env };
}

/**
 * The runtime's whole environment: `own` unchanged when it carries no bootstrap token (or already
 * a sandbox token), else `own` merged with the exchange's answer. The bootstrap token stays in the
 * result only so the runtime masks it like every other credential.
 */
export async function bootstrapEnvironment(
  own: Env,
  options: BootstrapOptions = {},
): Promise<BootstrapOutcome> {
  const token = own[BOOTSTRAP_TOKEN_VARIABLE];
  if (!token || own.NIGHTSHIFT_SANDBOX_TOKEN) return { ok: true, env: own };
  const mask = (text: string) => text.replaceAll(token, MASK);
  const base = own.NIGHTSHIFT_CONTROL_PLANE_URL ?? "";
  if (!URL.canParse(base) || !/^https?:$/.test(new URL(base).protocol)) {
    return {
      ok: false,
      problem:
        "NIGHTSHIFT_CONTROL_PLANE_URL must be an http:// or https:// URL: the bootstrap exchange dials it",
    };
  }
  const url = `${base.replace(/\/+$/, "")}${SANDBOX_BOOTSTRAP_PATH}`;
  const attempts = options.maxAttempts ?? DEFAULT_ATTEMPTS;
  const backoff = options.backoff ?? new Backoff({ baseMs: 500, capMs: 8_000 });
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let last = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const outcome = await attemptExchange(url, token, options);
    if (outcome.kind === "answer") {
      const merged = mergeBootstrapAnswer(own, outcome.env);
      return merged.ok ? merged : { ok: false, problem: mask(merged.problem) };
    }
    if (outcome.kind === "refused") {
      return {
        ok: false,
        problem: mask(`the control plane refused the bootstrap exchange (${outcome.reason})`),
      };
    }
    last = outcome.reason;
    if (attempt < attempts) {
      const delay = backoff.next();
      options.warn?.(mask(`bootstrap exchange failed (${last}); retrying in ${delay} ms`));
      await sleep(delay);
    }
  }
  return {
    ok: false,
    problem: mask(`the bootstrap exchange failed ${attempts} times; the last time: ${last}`),
  };
}
