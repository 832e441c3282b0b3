/**
 * One model call through the gateway: authenticate the sandbox, check the path and the budget,
 * choose key and base URL (call-shape.ts says what is read from the body: almost nothing), forward with only the client's API headers, and stream the answer
 * back unchanged while usage is read from it and recorded (in waitUntil) once it ends.
 */
import {
  CREDENTIAL_HEADERS,
  costOf,
  HOP_BY_HOP_HEADERS,
  type ModelAccountSource,
  type ModelProvider,
} from "@nightshift/protocol";
import { recordModelCall } from "../budgets/usage-meters";
import { IsolateCache } from "../cache/isolate-cache";
import { openDatabase } from "../db/client";
import { type GatewaySettings, readGatewaySettings } from "../db/repositories/gateway-settings";
import type { Bindings } from "../env";
import { authenticateSandboxCaller, type SandboxCaller } from "../sandbox-auth/sandbox-caller";
import { BUDGET_REFUSAL_STATUS, budgetRefusal } from "./budget";
import { shapeCall } from "./call-shape";
import { chooseUpstream } from "./credentials";
import { gatewayError } from "./errors";
import { PROVIDERS, upstreamUrl } from "./providers";
import { injectCredential } from "./subscription-auth";
import { observeBody, UsageReader } from "./usage";

/** Never forwarded upstream: the sandbox's credentials, hop-by-hop headers, and proxy/edge metadata. */
const DROPPED_REQUEST_HEADERS = new Set([
  ...CREDENTIAL_HEADERS,
  ...HOP_BY_HOP_HEADERS,
  "host",
  "content-length",
  "accept-encoding",
  "forwarded",
  "x-real-ip",
]);
const DROPPED_RESPONSE_HEADERS = new Set([
  ...HOP_BY_HOP_HEADERS,
  "set-cookie",
  // The body handed on is already decoded; its length may differ from the upstream's.
  "content-encoding",
  "content-length",
]);

function forwardedRequestHeaders(incoming: Headers): Headers {
  const out = new Headers();
  for (const [name, value] of incoming) {
    const lower = name.toLowerCase();
    if (DROPPED_REQUEST_HEADERS.has(lower) || lower.startsWith("cf-") || lower.startsWith("x-forwarded-"))
      continue;
    out.set(name, value);
  }
  return out;
}

function forwardedResponseHeaders(upstream: Headers): Headers {
  const out = new Headers();
  for (const [name, value] of upstream)
    if (!DROPPED_RESPONSE_HEADERS.has(name.toLowerCase())) out.set(name, value);
  return out;
}

/** Settings are read at most once per this window per tenant and isolate. */
const SETTINGS_TTL_MS = 10_000;
const settingsCache = new IsolateCache<GatewaySettings>({ ttlMs: SETTINGS_TTL_MS, maxEntries: 1_000 });

function settingsFor(env: Bindings, tenantId: string): Promise<GatewaySettings> {
  return settingsCache.getOrLoad(tenantId, () => readGatewaySettings(openDatabase(env.DB), tenantId));
}

/** Tests change settings and must see them at once. */
export function forgetCachedGatewaySettings(): void {
  settingsCache.clear();
}

export async function forwardModelCall(
  env: Bindings,
  waitUntil: (p: Promise<unknown>) => void,
  provider: ModelProvider,
  path: string,
  request: Request,
): Promise<Response> {
  const spec = PROVIDERS[provider];
  const auth = await authenticateSandboxCaller(env, request.headers);
  if (!auth.ok) return gatewayError(provider, auth.status, auth.code, auth.message);
  const caller = auth.caller;
  const method = request.method.toUpperCase();
  if (!spec.allows(method, path))
    return gatewayError(provider, 404, "not_found", `the model gateway does not forward ${method} ${path}`);

  // The body and the tenant's settings do not depend on each other: read both at once.
  const [text, settings] = await Promise.all([
    method === "POST" ? request.text() : undefined,
    settingsFor(env, caller.tenantId),
  ]);
  const shaped = shapeCall(provider, method, path, text);
  if (!shaped.ok) return gatewayError(provider, 400, "invalid_request", shaped.message);
  const call = shaped.call;

  // Nor do the budget and the key: a refused call wastes at most a cached key lookup.
  const [refusal, upstream] = await Promise.all([
    call.metered ? budgetRefusal(env, settings.budget, caller.tenantId, caller.sessionId, new Date()) : null,
    chooseUpstream(env, caller, provider, settings),
  ]);
  if (refusal) return gatewayError(provider, BUDGET_REFUSAL_STATUS, "budget_exhausted", refusal);
  if (!upstream.key && upstream.baseUrl === spec.publicBaseUrl) {
    return gatewayError(
      provider,
      503,
      "no_credential",
      `no ${provider} credential is configured for this session: add a model account (yours or the tenant's; it stays in the control plane)`,
    );
  }
  const headers = forwardedRequestHeaders(request.headers);
  if (upstream.key) injectCredential(spec, headers, { key: upstream.key, kind: upstream.keyKind });
  const search = new URL(request.url).searchParams;
  // Gemini also accepts ?key=; whatever the sandbox put there is not passed on.
  search.delete("key");

  let response: Response;
  try {
    response = await fetch(upstreamUrl(upstream.baseUrl, path, search), {
      method,
      headers,
      ...(call.body !== undefined ? { body: call.body } : {}),
    });
  } catch {
    return gatewayError(provider, 502, "upstream_unreachable", `the ${provider} API could not be reached`);
  }
  const responseHeaders = forwardedResponseHeaders(response.headers);
  if (!call.metered || !response.body)
    return new Response(response.body, { status: response.status, headers: responseHeaders });

  const streaming = (response.headers.get("content-type") ?? "").includes("text/event-stream");
  const observed = observeBody(response.body, new UsageReader(provider, streaming));
  waitUntil(
    observed.done.then((usage) =>
      usage.reported
        ? record(
            env,
            caller,
            provider,
            usage.model ?? call.requestedModel(),
            response.status,
            usage,
            upstream.keySource,
          )
        : undefined,
    ),
  );
  return new Response(observed.body, { status: response.status, headers: responseHeaders });
}

async function record(
  env: Bindings,
  caller: SandboxCaller,
  provider: ModelProvider,
  model: string | null,
  status: number,
  tokens: Parameters<typeof costOf>[2],
  accountSource: ModelAccountSource,
): Promise<void> {
  const name = model ?? "unknown";
  try {
    await recordModelCall(env, caller.tenantId, caller.sessionId, {
      userId: caller.userId,
      provider,
      model: name,
      status,
      inputTokens: tokens.inputTokens,
      outputTokens: tokens.outputTokens,
      cacheReadTokens: tokens.cacheReadTokens,
      cacheCreationTokens: tokens.cacheCreationTokens,
      costUsd: costOf(provider, name, tokens),
      accountSource,
      at: new Date().toISOString(),
    });
  } catch {
    // A lost usage record must not surface as an error of a call that already succeeded.
    console.error(JSON.stringify({ event: "model_usage_write_failed", session: caller.sessionId }));
  }
}
