/**
 * Points the agent CLIs at the model relay: each provider's base URL variable at the relay and a
 * placeholder key (the CLIs refuse to start without one; the gateway ignores it). A provider whose
 * base URL the sandbox's environment already sets explicitly is left alone (direct mode: an
 * operator's choice, and how the runtime's own tests talk to a model double).
 */
import { GATEWAY_PLACEHOLDER_KEY, type ModelProvider } from "@nightshift/protocol";
import type { ModelRelay } from "./model-relay";

interface ProviderVariables {
  baseUrl: string;
  /** Appended to the relay's provider URL: where the CLIs expect the API root. */
  suffix: string;
  keys: readonly string[];
  /** Other credentials the CLI would prefer over the key: removed. */
  drop: readonly string[];
}

const VARIABLES: Record<ModelProvider, ProviderVariables> = {
  anthropic: {
    baseUrl: "ANTHROPIC_BASE_URL",
    suffix: "",
    keys: ["ANTHROPIC_API_KEY"],
    drop: ["ANTHROPIC_AUTH_TOKEN"],
  },
  // OpenAI's SDKs and CLIs expect the version in the base URL.
  openai: { baseUrl: "OPENAI_BASE_URL", suffix: "/v1", keys: ["OPENAI_API_KEY"], drop: [] },
  gemini: {
    baseUrl: "GOOGLE_GEMINI_BASE_URL",
    suffix: "",
    keys: ["GEMINI_API_KEY"],
    drop: ["GOOGLE_API_KEY", "GOOGLE_APPLICATION_CREDENTIALS"],
  },
};

const LOOPBACK = ["127.0.0.1", "localhost"];

function withLoopback(list: string | undefined): string {
  const entries = (list ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  for (const host of LOOPBACK) if (!entries.includes(host)) entries.push(host);
  return entries.join(",");
}

export function applyModelRelay(env: Record<string, string>, relay: ModelRelay): Record<string, string> {
  const out = { ...env };
  let relayed = false;
  for (const [provider, vars] of Object.entries(VARIABLES) as [ModelProvider, ProviderVariables][]) {
    if (env[vars.baseUrl]) continue;
    out[vars.baseUrl] = `${relay.baseUrl(provider)}${vars.suffix}`;
    for (const key of vars.keys) out[key] = GATEWAY_PLACEHOLDER_KEY;
    for (const name of vars.drop) delete out[name];
    relayed = true;
  }
  // The agent's HTTP clients honour the egress proxy variables: the relay on loopback must bypass them.
  if (relayed) {
    out.NO_PROXY = withLoopback(env.NO_PROXY);
    out.no_proxy = withLoopback(env.no_proxy);
  }
  return out;
}
