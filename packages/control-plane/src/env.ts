/** The Worker's bindings and typed Hono environment. */
import type { Role } from "@nightshift/protocol";
import type { AutomationSchedule } from "./automations/schedule/automation-schedule";
import type { SandboxSlots } from "./capacity/slots";
import type { TenantRateLimiter } from "./rate-limit/tenant-limiter";
import type { SessionAgent } from "./session/agent";
import type { Principal } from "./tenancy/principal";
import type { WarmPool } from "./warm/warm-pool";

export interface Bindings {
  DB: D1Database;
  SESSION_AGENT: DurableObjectNamespace<SessionAgent>;
  /** The sandbox slot coordinators, one per pool (capacity/slots.ts). */
  SANDBOX_SLOTS: DurableObjectNamespace<SandboxSlots>;
  /** One per (tenant, repository) with warm start on: its refresh alarm and prebuild dedupe (warm/warm-pool.ts). */
  WARM_POOL: DurableObjectNamespace<WarmPool>;
  /** One per scheduled automation: its alarm is the next fire time (automations/schedule). */
  AUTOMATION_SCHEDULE: DurableObjectNamespace<AutomationSchedule>;
  /** One per tenant: the GCRA state of its rate limits (rate-limit/tenant-limiter.ts). */
  RATE_LIMITER: DurableObjectNamespace<TenantRateLimiter>;
  ASSETS: Fetcher;
  NIGHTSHIFT_MODE: string;
  MAX_BODY_BYTES: string;
  /** The URL sandboxes use to reach this control plane (the bridge, the model gateway and the git proxy). */
  PUBLIC_URL?: string;
  /** The URL sandboxes dial when it differs from PUBLIC_URL (e.g. a private address); default PUBLIC_URL. */
  SANDBOX_CONTROL_PLANE_URL?: string;
  /** Labelled on every sandbox (nightshift.deployment) so a provider's reconciler touches only its own. */
  NIGHTSHIFT_DEPLOYMENT?: string;
  /** Signs sandbox tokens (HS256); a Worker secret, at least 32 characters. */
  SANDBOX_TOKEN_SECRET?: string;
  /**
   * The agent CLIs this deployment's sandboxes can run, comma-separated, in picker order; the first
   * is the default where a session and its tenant name none. Unset: every agent Nightshift knows.
   */
  SANDBOX_AGENTS?: string;
  /** Seconds an idle session keeps its sandbox while another session waits for the slot (default 60). */
  SANDBOX_IDLE_YIELD_SECONDS?: string;
  /**
   * "1" lets users store a Claude subscription token (`claude setup-token`) as their own model
   * account. Off by default: Anthropic's terms tie those tokens to ordinary use of Claude Code by
   * the subscriber; an operator turns this on after checking them for their plans.
   */
  ALLOW_SUBSCRIPTION_TOKENS?: string;
  /** Which SandboxProvider creates sandboxes: "local" (default). */
  SANDBOX_PROVIDER?: string;
  SANDBOX_HOST_URL?: string;
  SANDBOX_HOST_SECRET?: string;
  /** Daytona (SANDBOX_PROVIDER=daytona): API base URL (default https://app.daytona.io/api), API key (secret), snapshot, region. */
  DAYTONA_API_URL?: string;
  DAYTONA_API_KEY?: string;
  DAYTONA_SNAPSHOT?: string;
  DAYTONA_TARGET?: string;
  /** Modal (SANDBOX_PROVIDER=modal): our Modal app's base URL and its proxy auth token (secrets). */
  MODAL_APP_URL?: string;
  MODAL_PROXY_TOKEN_ID?: string;
  MODAL_PROXY_TOKEN_SECRET?: string;
  /** The largest push the git proxy passes on, in bytes (default 512 MiB). */
  GIT_PROXY_MAX_PUSH_BYTES?: string;
  /** Signs session cookies (HS256); a Worker secret, at least 32 characters. */
  SESSION_SECRET?: string;
  /** Secret master keys, `kid:base64(32 bytes)[,kid:...]`; the first wraps new data keys. */
  SECRETS_MASTER_KEYS?: string;
  /**
   * "1" accepts sandboxes the host ran without bubblewrap (isolation "process") outside local mode.
   * Unset, such a sandbox is terminated and its session fails saying what to install.
   */
  ALLOW_PROCESS_ISOLATION?: string;
  /** "1" enables POST /auth/dev-login, only in local mode and only from loopback. */
  NIGHTSHIFT_DEV_LOGIN?: string;
  /** Extra origins (comma-separated) allowed to send cookie-authenticated writes, e.g. a Vite dev server. */
  ALLOWED_ORIGINS?: string;
  GITHUB_OAUTH_CLIENT_ID?: string;
  GITHUB_OAUTH_CLIENT_SECRET?: string;
  /** GitHub's web base URL (GitHub Enterprise Server or a test double); default https://github.com. */
  GITHUB_WEB_URL?: string;
  /** GitHub's REST base URL; default api.github.com, or <GITHUB_WEB_URL>/api/v3 for GHES. */
  GITHUB_API_URL?: string;
  /** GitHub App (docs/github-app.md): numeric id, slug, private key (PKCS#1 or PKCS#8 PEM), webhook secret. */
  GITHUB_APP_ID?: string;
  GITHUB_APP_SLUG?: string;
  GITHUB_APP_PRIVATE_KEY?: string;
  GITHUB_WEBHOOK_SECRET?: string;
  /** The App's REST and web/git base URLs when they differ from GITHUB_API_URL / GITHUB_WEB_URL. */
  GITHUB_APP_API_URL?: string;
  GITHUB_APP_WEB_URL?: string;
  /** The issue label that starts a session (default "agent"). */
  GITHUB_TRIGGER_LABEL?: string;
  /** The Slack app (docs/slack-app.md): OAuth client, signing secret (and the previous one while rotating). */
  SLACK_CLIENT_ID?: string;
  SLACK_CLIENT_SECRET?: string;
  SLACK_SIGNING_SECRET?: string;
  SLACK_SIGNING_SECRET_PREVIOUS?: string;
  /** Slack's Web API and OAuth authorize base URLs; default https://slack.com/api and https://slack.com. */
  SLACK_API_URL?: string;
  SLACK_WEB_URL?: string;
  /** The Linear app (docs/linear-app.md): OAuth client and webhook signing secret. */
  LINEAR_CLIENT_ID?: string;
  LINEAR_CLIENT_SECRET?: string;
  LINEAR_WEBHOOK_SECRET?: string;
  /** Linear's API (GraphQL, OAuth token) and authorize base URLs; default https://api.linear.app and https://linear.app. */
  LINEAR_API_URL?: string;
  LINEAR_WEB_URL?: string;
  /** Rate limits as "<per minute>,<burst>": session creation per tenant, per API key, webhook ingress per tenant. */
  RATE_LIMIT_SESSION_CREATE?: string;
  RATE_LIMIT_SESSION_CREATE_PER_KEY?: string;
  RATE_LIMIT_WEBHOOK?: string;
  /** Prompts (a session's first included) per tenant, "<per minute>,<burst>". */
  RATE_LIMIT_PROMPTS?: string;
  /** Device sign-in codes a user may enter (look up, approve, deny) per tenant, "<per minute>,<burst>". */
  RATE_LIMIT_DEVICE_CODES?: string;
  /** Sandboxes running at once in the pool (default 20, the local host's ceiling) and per tenant (default 10). */
  SANDBOX_SLOT_LIMIT?: string;
  SANDBOX_SLOT_LIMIT_PER_TENANT?: string;
  /** The slot pool's name (default: the provider's); deployments sharing one sandbox host share one pool. */
  SANDBOX_SLOT_POOL?: string;
  /** Warm-start snapshots older than this many hours are not used and are rebuilt (default 24). */
  WARM_START_MAX_AGE_HOURS?: string;
  /**
   * The model gateway's deployment-wide upstream keys and base URLs (a tenant's model-key secret and
   * base URL setting win). Unset base URL: the provider's public API.
   */
  ANTHROPIC_API_KEY?: string;
  ANTHROPIC_BASE_URL?: string;
  OPENAI_API_KEY?: string;
  OPENAI_BASE_URL?: string;
  GEMINI_API_KEY?: string;
  GEMINI_BASE_URL?: string;
  /** How many tenants one user may own (default 10). */
  MAX_TENANTS_PER_USER?: string;
}

export interface Actor {
  tenantId: string;
  userId: string;
  role: Role;
  name: string;
  /** The user's login (GitHub login, or the dev login's). */
  login?: string;
  /** How the caller proved who they are: a browser session, an API key, or an integration acting for them. */
  via?: "session" | "api_key" | "integration";
  /** The API key used, when `via` is "api_key". */
  apiKeyId?: string | null;
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: { requestId: string; actor: Actor; principal: Principal };
}
