/** OpenAPI descriptions of sessions, repositories, agents and the caller's identity. */
import {
  CreateSessionRequest,
  CreateTenantRequest,
  EventsPage,
  EventsPageQuery,
  Health,
  ListAgentsResponse,
  ListRepositoriesResponse,
  ListSessionsQuery,
  ListSessionsResponse,
  ListTenantsResponse,
  MeResponse,
  SendPromptRequest,
  SendPromptResponse,
  Session,
  SessionModelUsage,
  StreamQuery,
  TenantWithRole,
} from "@nightshift/protocol";
import { z } from "zod";
import { inBothScopes, type RouteDocs } from "./route-doc";

const SessionId = z
  .string()
  .regex(/^[0-9a-z]{26}$/)
  .describe("the session's id (26 lowercase letters and digits)");

const SlackThread = z
  .object({
    teamId: z.string(),
    channelId: z.string(),
    threadTs: z.string(),
    url: z.string().describe("opens the thread in Slack's web client"),
  })
  .loose();

export const sessionDocs: RouteDocs = {
  "GET /api/v1/health": {
    summary: "Liveness probe",
    tag: "health",
    access: "public",
    responses: { 200: { description: "the control plane answers", schema: Health } },
  },
  "GET /api/v1/me": {
    summary: "Who the caller is and which tenants they may act in",
    tag: "tenants",
    access: "user",
    responses: { 200: { description: "the caller", schema: MeResponse } },
  },
  "GET /api/v1/tenants": {
    summary: "List the caller's tenants",
    tag: "tenants",
    access: "user",
    responses: { 200: { description: "the caller's memberships", schema: ListTenantsResponse } },
  },
  "POST /api/v1/tenants": {
    summary: "Create a tenant (the caller owns it)",
    tag: "tenants",
    access: "user",
    body: CreateTenantRequest,
    responses: {
      201: {
        description: "created",
        schema: TenantWithRole,
        headers: { location: "the new tenant's URL" },
      },
    },
    errors: [409],
  },
  ...inBothScopes({
    "POST /sessions": {
      summary: "Start a session",
      description:
        "Creates the session and queues its first prompt. Rate limited per tenant and per API key.",
      tag: "sessions",
      access: "tenant",
      body: CreateSessionRequest,
      responses: {
        201: { description: "created", schema: Session, headers: { location: "the session's URL" } },
      },
      errors: [402, 409, 429],
    },
    "GET /sessions": {
      summary: "List sessions, newest first",
      tag: "sessions",
      access: "tenant",
      query: ListSessionsQuery,
      responses: { 200: { description: "one page of sessions", schema: ListSessionsResponse } },
    },
    "GET /sessions/:id": {
      summary: "Read a session",
      tag: "sessions",
      access: "tenant",
      params: { id: SessionId },
      responses: { 200: { description: "the session", schema: Session } },
    },
    "GET /sessions/:id/usage": {
      summary: "Model usage and cost of a session",
      tag: "sessions",
      access: "tenant",
      params: { id: SessionId },
      responses: { 200: { description: "tokens and USD by model", schema: SessionModelUsage } },
    },
    "GET /sessions/:id/slack-thread": {
      summary: "The Slack thread a session was started from",
      tag: "sessions",
      access: "tenant",
      params: { id: SessionId },
      responses: { 200: { description: "the thread", schema: SlackThread } },
    },
    "POST /sessions/:id/stop": {
      summary: "Stop a session",
      description: "Members may stop only sessions they created; admins and owners any.",
      tag: "sessions",
      access: "tenant",
      params: { id: SessionId },
      responses: { 202: { description: "stopping", schema: Session } },
    },
    "POST /sessions/:id/prompts": {
      summary: "Send a follow-up prompt",
      description: "Queued behind the prompts already waiting. Members may prompt only their own sessions.",
      tag: "sessions",
      access: "tenant",
      params: { id: SessionId },
      body: SendPromptRequest,
      responses: { 202: { description: "queued", schema: SendPromptResponse } },
      errors: [402, 409, 429],
    },
    "GET /sessions/:id/events": {
      summary: "Read a page of a session's events",
      tag: "sessions",
      access: "tenant",
      params: { id: SessionId },
      query: EventsPageQuery,
      responses: { 200: { description: "events after the cursor, in seq order", schema: EventsPage } },
    },
    "GET /sessions/:id/stream": {
      summary: "Follow a session live (WebSocket)",
      description:
        "Upgrade to a WebSocket (`Upgrade: websocket`): the server replays the events after `after`, then " +
        "streams new ones as server frames (see @nightshift/protocol frames.ts). A plain GET answers 426.",
      tag: "sessions",
      access: "tenant",
      params: { id: SessionId },
      query: StreamQuery,
      responses: { 101: { description: "switching protocols to WebSocket" } },
      errors: [426],
    },
    "GET /repositories": {
      summary: "Repositories a session may target",
      tag: "sessions",
      access: "tenant",
      responses: { 200: { description: "the picker's choices", schema: ListRepositoriesResponse } },
    },
    "GET /agents": {
      summary: "Agents this deployment can run, with the tenant's default",
      tag: "sessions",
      access: "tenant",
      responses: { 200: { description: "the agents", schema: ListAgentsResponse } },
    },
  }),
};
