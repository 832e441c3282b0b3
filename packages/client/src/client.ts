/**
 * createClient: the /api/v1 API as typed methods. Every request body and query is checked with
 * the protocol's schema before it is sent, every answer parsed with the response schema.
 */
import {
  API_KEY_PREFIX,
  CreateSessionRequest,
  EventsPage,
  EventsPageQuery,
  Health,
  ListAgentsResponse,
  ListAutomationsResponse,
  ListSecretsResponse,
  ListSessionsQuery,
  ListSessionsResponse,
  MeResponse,
  PutSecretRequest,
  RepoKey,
  SecretMeta,
  SecretName,
  SendPromptRequest,
  SendPromptResponse,
  Session,
} from "@nightshift/protocol";
import { z } from "zod";
import { deviceLoginCalls } from "./device-login.ts";
import { RequestValidationError } from "./errors.ts";
import { checked, send, type Transport } from "./http.ts";
import { type StreamOptions, streamEvents } from "./stream.ts";

export interface ClientOptions {
  /** The control plane's origin, e.g. http://127.0.0.1:8787. */
  baseUrl: string;
  /** An API key (`nsk_...`), sent as `Authorization: Bearer`. */
  apiKey?: string;
  /** A signed-in browser's session cookie (`name=value`); writes then carry the matching Origin. */
  cookie?: string;
  /** A tenant id or slug: requests go under /api/v1/tenants/<tenant>/... (an API key implies its own). */
  tenant?: string;
  fetch?: typeof fetch;
  /** The WebSocket class for the stream; the platform's by default (Node >= 22, browsers). */
  webSocket?: typeof WebSocket;
}

const SessionId = z.string().regex(/^[0-9a-z]{26}$/, "a session id is 26 lowercase letters and digits");
const SecretScope = z.strictObject({ repo: RepoKey.optional() });

function credentialHeaders(options: ClientOptions): Record<string, string> {
  if (options.apiKey !== undefined) {
    if (!options.apiKey.startsWith(API_KEY_PREFIX)) {
      throw new RequestValidationError("apiKey", [
        { path: "apiKey", message: `an API key starts with '${API_KEY_PREFIX}'` },
      ]);
    }
    return { authorization: `Bearer ${options.apiKey}` };
  }
  if (options.cookie !== undefined) return { cookie: options.cookie, origin: options.baseUrl };
  return {};
}

function normalizedBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RequestValidationError("baseUrl", [{ path: "baseUrl", message: `'${raw}' is not a URL` }]);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new RequestValidationError("baseUrl", [{ path: "baseUrl", message: "must be an http(s) URL" }]);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

export function createClient(options: ClientOptions) {
  const transport: Transport = {
    baseUrl: normalizedBaseUrl(options.baseUrl),
    headers: credentialHeaders(options),
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
  };
  const scoped = (suffix: string) =>
    options.tenant ? `/api/v1/tenants/${encodeURIComponent(options.tenant)}${suffix}` : `/api/v1${suffix}`;
  const sessionPath = (id: string) => scoped(`/sessions/${checked(SessionId, id, "session id")}`);

  let tenantOfCaller: Promise<string> | null = null;
  /** The tenant for routes that exist only under a tenant path (secrets). */
  const tenantId = (): Promise<string> => {
    if (options.tenant) return Promise.resolve(options.tenant);
    tenantOfCaller ??= me().then((who) => {
      const only = who.apiKey?.tenantId ?? (who.tenants.length === 1 ? who.tenants[0]?.id : undefined);
      if (!only) {
        tenantOfCaller = null;
        throw new RequestValidationError("tenant", [
          {
            path: "tenant",
            message: `you belong to ${who.tenants.length} tenants; name one with the tenant option`,
          },
        ]);
      }
      return only;
    });
    return tenantOfCaller;
  };
  const secretsPath = async (name?: string) => {
    // The name is checked before the tenant lookup, so a bad one sends nothing at all.
    const suffix = name === undefined ? "" : `/${checked(SecretName, name, "secret name")}`;
    return `/api/v1/tenants/${encodeURIComponent(await tenantId())}/secrets${suffix}`;
  };

  function me(signal?: AbortSignal): Promise<MeResponse> {
    return send(transport, { method: "GET", path: "/api/v1/me", response: MeResponse, signal });
  }

  const sessions = {
    create: async (input: z.input<typeof CreateSessionRequest>, signal?: AbortSignal): Promise<Session> =>
      send(transport, {
        method: "POST",
        path: scoped("/sessions"),
        body: checked(CreateSessionRequest, input, "new session"),
        response: Session,
        signal,
      }),
    list: async (
      query: z.input<typeof ListSessionsQuery> = {},
      signal?: AbortSignal,
    ): Promise<ListSessionsResponse> =>
      send(transport, {
        method: "GET",
        path: scoped("/sessions"),
        query: checked(ListSessionsQuery, query, "session list query"),
        response: ListSessionsResponse,
        signal,
      }),
    get: async (id: string, signal?: AbortSignal): Promise<Session> =>
      send(transport, { method: "GET", path: sessionPath(id), response: Session, signal }),
    events: async (
      id: string,
      query: z.input<typeof EventsPageQuery> = {},
      signal?: AbortSignal,
    ): Promise<EventsPage> =>
      send(transport, {
        method: "GET",
        path: `${sessionPath(id)}/events`,
        query: checked(EventsPageQuery, query, "events query"),
        response: EventsPage,
        signal,
      }),
    prompt: async (id: string, text: string, signal?: AbortSignal): Promise<SendPromptResponse> =>
      send(transport, {
        method: "POST",
        path: `${sessionPath(id)}/prompts`,
        body: checked(SendPromptRequest, { text }, "prompt"),
        response: SendPromptResponse,
        signal,
      }),
    stop: async (id: string, signal?: AbortSignal): Promise<Session> =>
      send(transport, { method: "POST", path: `${sessionPath(id)}/stop`, response: Session, signal }),
  };

  const secrets = {
    set: async (
      name: string,
      input: z.input<typeof PutSecretRequest>,
      scope: z.input<typeof SecretScope> = {},
    ): Promise<SecretMeta> =>
      send(transport, {
        method: "PUT",
        path: await secretsPath(name),
        query: checked(SecretScope, scope, "secret scope"),
        body: checked(PutSecretRequest, input, "secret"),
        response: SecretMeta,
      }),
    list: async (): Promise<ListSecretsResponse> =>
      send(transport, { method: "GET", path: await secretsPath(), response: ListSecretsResponse }),
    delete: async (name: string, scope: z.input<typeof SecretScope> = {}): Promise<void> =>
      send(transport, {
        method: "DELETE",
        path: await secretsPath(name),
        query: checked(SecretScope, scope, "secret scope"),
        response: null,
      }),
  };

  return {
    baseUrl: transport.baseUrl,
    health: async (signal?: AbortSignal): Promise<Health> =>
      send(transport, { method: "GET", path: "/api/v1/health", response: Health, signal }),
    me,
    /** The browser sign-in of `nightshift login`: needs no credential. */
    deviceLogin: deviceLoginCalls(transport),
    sessions,
    agents: {
      list: async (signal?: AbortSignal): Promise<ListAgentsResponse> =>
        send(transport, { method: "GET", path: scoped("/agents"), response: ListAgentsResponse, signal }),
    },
    secrets,
    automations: {
      // Automations live only under a tenant path.
      list: async (signal?: AbortSignal): Promise<ListAutomationsResponse> =>
        send(transport, {
          method: "GET",
          path: `/api/v1/tenants/${encodeURIComponent(await tenantId())}/automations`,
          response: ListAutomationsResponse,
          signal,
        }),
    },
    /**
     * Follows a session's events from `from` (exclusive): every event exactly once, in seq order,
     * across dropped connections. Resolves when `onEvent` returns "stop" or the signal aborts.
     */
    streamEvents: async (sessionId: string, streamOptions: StreamOptions): Promise<void> =>
      streamEvents(
        {
          transport,
          url: (after) => {
            const url = new URL(`${transport.baseUrl}${sessionPath(sessionId)}/stream`);
            url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
            url.searchParams.set("after", String(after));
            return url.toString();
          },
          // A refused upgrade says nothing over WebSocket; the same question over HTTP says why.
          diagnose: (signal) => sessions.get(sessionId, signal).then(() => undefined),
          webSocket: options.webSocket ?? globalThis.WebSocket,
        },
        streamOptions,
      ),
  };
}

export type NightshiftClient = ReturnType<typeof createClient>;
