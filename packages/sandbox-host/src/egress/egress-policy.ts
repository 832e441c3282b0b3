/**
 * Which host:port a sandbox may reach, decided before any DNS lookup. Three kinds of target:
 * - the control plane: only its sandbox-facing routes (`<base>/sandbox/…`) over plain HTTP,
 *   never a CONNECT tunnel (the proxy could not see the path inside it);
 * - the endpoints the host itself is configured with (a forwarded model API's base URL):
 *   exact host:port, and trusted at whatever address they resolve to except link-local;
 * - the providers' public API hosts when no base URL is configured: exact host:port, public
 *   addresses only;
 * - patterns (the default package registries, the tenant's allowlist): public addresses only.
 * Everything else is refused.
 */

export interface Endpoint {
  /** Lower case; an IPv6 literal without brackets. */
  host: string;
  port: number;
}

export interface EgressRules {
  controlPlane: { endpoint: Endpoint; origin: string; basePath: string };
  /** Endpoints the host was configured with: forwarded model base URLs. */
  trusted: Endpoint[];
  /** The providers' public API hosts (no base URL configured): reachable at public addresses only. */
  publicApis: Endpoint[];
  /** DNS names or `*.suffix`, with an optional `:port`. */
  patterns: string[];
}

export type Decision =
  | { allow: true; trusted: boolean }
  | { allow: false; reason: string }
  | { allow: "control-plane" };

/**
 * Model endpoints a sandbox may reach directly. By default none: agents call the model through
 * the control plane's gateway (a /sandbox/ route). Only when the host forwards a provider's base
 * URL or key into sandboxes (an operator's passEnv: direct mode) is that endpoint — the base URL,
 * else the provider's public API host — reachable.
 */
const MODEL_ENDPOINTS = [
  {
    variable: "ANTHROPIC_BASE_URL",
    keys: ["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"],
    fallback: "https://api.anthropic.com",
  },
  { variable: "OPENAI_BASE_URL", keys: ["OPENAI_API_KEY"], fallback: "https://api.openai.com" },
  {
    variable: "GOOGLE_GEMINI_BASE_URL",
    keys: ["GEMINI_API_KEY"],
    fallback: "https://generativelanguage.googleapis.com",
  },
] as const;

export function endpointOf(url: URL): Endpoint {
  const port = url.port ? Number(url.port) : url.protocol === "https:" || url.protocol === "wss:" ? 443 : 80;
  return { host: url.hostname.replace(/^\[|\]$/g, "").toLowerCase(), port };
}

export const sameEndpoint = (a: Endpoint, b: Endpoint) => a.host === b.host && a.port === b.port;

export function formatEndpoint({ host, port }: Endpoint): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

export interface EgressRulesInput {
  controlPlaneUrl: string;
  /** The host variables forwarded into the sandbox (passEnv): only these open model endpoints. */
  hostEnv: NodeJS.ProcessEnv;
  /** The host's default list (package registries) and the tenant's additions. */
  patterns: readonly string[];
}

export function buildEgressRules(input: EgressRulesInput): EgressRules {
  const controlPlane = new URL(input.controlPlaneUrl);
  const trusted: Endpoint[] = [];
  const publicApis: Endpoint[] = [];
  for (const { variable, keys, fallback } of MODEL_ENDPOINTS) {
    const configured = input.hostEnv[variable];
    if (configured && URL.canParse(configured)) trusted.push(endpointOf(new URL(configured)));
    else if (keys.some((key) => input.hostEnv[key])) publicApis.push(endpointOf(new URL(fallback)));
  }
  // No git host: a sandbox's git remote is the control plane's git proxy (/sandbox/git/...).
  return {
    controlPlane: {
      endpoint: endpointOf(controlPlane),
      origin: controlPlane.origin,
      basePath: controlPlane.pathname.replace(/\/+$/, ""),
    },
    trusted,
    publicApis,
    patterns: [...new Set(input.patterns.map((p) => p.toLowerCase()))],
  };
}

function matchesPattern(pattern: string, target: Endpoint, defaultPort: number): boolean {
  const [name = "", portText] = pattern.split(":");
  if (target.port !== (portText ? Number(portText) : defaultPort)) return false;
  if (name.startsWith("*."))
    return target.host.endsWith(name.slice(1)) && target.host.length > name.length - 1;
  return target.host === name;
}

/** `kind` is how the sandbox asked: a CONNECT tunnel (https) or a plain-HTTP request. */
export function decide(rules: EgressRules, target: Endpoint, kind: "connect" | "http"): Decision {
  if (sameEndpoint(target, rules.controlPlane.endpoint)) {
    if (kind === "http") return { allow: "control-plane" };
    return {
      allow: false,
      reason: "the control plane is reachable only at its /sandbox/ routes, not through a tunnel",
    };
  }
  if (rules.trusted.some((endpoint) => sameEndpoint(endpoint, target))) return { allow: true, trusted: true };
  if (rules.publicApis.some((endpoint) => sameEndpoint(endpoint, target)))
    return { allow: true, trusted: false };
  const defaultPort = kind === "connect" ? 443 : 80;
  if (rules.patterns.some((pattern) => matchesPattern(pattern, target, defaultPort)))
    return { allow: true, trusted: false };
  return { allow: false, reason: "not on this sandbox's egress allowlist" };
}

/** True when a control-plane path is one of its sandbox-facing routes (a prefix rule). */
export function isSandboxRoute(rules: EgressRules, path: string): boolean {
  const pathname = path.split("?")[0] ?? "";
  // Dot segments or encoded slashes could step out of the prefix once the server normalises them.
  if (/(^|\/)\.\.?(\/|$)|%2e|%2f|%5c|\\/i.test(pathname)) return false;
  return pathname.startsWith(`${rules.controlPlane.basePath}/sandbox/`);
}
