/**
 * OpenAPI descriptions of automations (issue 16), the tenant's budget status and analytics
 * (issue 17), and Linear account links.
 */
import {
  AnalyticsQuery,
  AnalyticsReport,
  Automation,
  AutomationCreated,
  AutomationDeliveryAccepted,
  AutomationInput,
  AutomationPatch,
  AutomationRunNowRequest,
  AutomationRunNowResponse,
  AutomationRunsPage,
  AutomationRunsQuery,
  AutomationTestRequest,
  AutomationTestResult,
  ListAutomationsResponse,
  TenantBudgetStatus,
} from "@nightshift/protocol";
import { z } from "zod";
import { inBothScopes, noContent, type RouteDoc, type RouteDocs, T } from "./route-doc";

const id = {
  id: z
    .string()
    .regex(/^[0-9a-z]{26}$/)
    .describe("the automation's id"),
};

const automation = (summary: string, extra: Omit<RouteDoc, "summary" | "tag" | "access">): RouteDoc => ({
  summary,
  tag: "automations",
  access: "tenant",
  ...extra,
});

const NotStarted = z.union([
  z.object({ duplicate: z.literal(true), runId: z.string() }),
  z.object({ skipped: z.string().describe("why the filter or template skipped it"), runId: z.string() }),
  z.object({ failed: z.string(), runId: z.string() }),
]);

export const automationDocs: RouteDocs = {
  [`GET ${T}/automations`]: automation("List automations", {
    responses: { 200: { description: "the automations", schema: ListAutomationsResponse } },
  }),
  [`POST ${T}/automations`]: automation("Create an automation (admins; the signing secret is shown once)", {
    body: AutomationInput,
    responses: {
      201: {
        description: "created, with its secret",
        schema: AutomationCreated,
        headers: { location: "its URL" },
      },
    },
  }),
  [`GET ${T}/automations/:id`]: automation("Read an automation", {
    params: id,
    responses: { 200: { description: "the automation", schema: Automation } },
  }),
  [`PATCH ${T}/automations/:id`]: automation("Change, pause or resume an automation (admins)", {
    params: id,
    body: AutomationPatch,
    responses: { 200: { description: "the automation", schema: Automation } },
  }),
  [`DELETE ${T}/automations/:id`]: automation("Delete an automation (admins)", {
    params: id,
    responses: noContent("deleted"),
  }),
  [`POST ${T}/automations/:id/rotate-secret`]: automation(
    "Rotate the signing secret (the old one stays valid 24 h; the new one is shown once)",
    { params: id, responses: { 200: { description: "the new secret", schema: AutomationCreated } } },
  ),
  [`POST ${T}/automations/:id/run`]: automation("Run now, with an optional sample payload (admins)", {
    params: id,
    body: AutomationRunNowRequest,
    bodyOptional: true,
    responses: {
      200: {
        description: "recorded without a session (skipped or failed)",
        schema: AutomationRunNowResponse,
      },
      202: { description: "a session started", schema: AutomationRunNowResponse },
    },
    errors: [429],
  }),
  [`POST ${T}/automations/:id/test`]: automation("Dry-run a payload: matched or skipped, and the prompt", {
    params: id,
    body: AutomationTestRequest,
    responses: { 200: { description: "what a delivery would do", schema: AutomationTestResult } },
  }),
  [`GET ${T}/automations/:id/runs`]: automation("Run history, newest first", {
    params: id,
    query: AutomationRunsQuery,
    responses: { 200: { description: "one page of runs", schema: AutomationRunsPage } },
  }),
  "POST /webhooks/in/:automationId": {
    summary: "An automation's inbound webhook",
    description:
      "Signed by the sender (Standard Webhooks, Sentry or GitHub signature with the automation's secret) or " +
      "sent with an API key scoped to triggering it. The body is the payload (up to the body cap). Unknown, " +
      "disabled and schedule automations all answer 404.",
    tag: "automations",
    access: "public",
    params: { automationId: id.id },
    body: z.unknown().describe("the sender's JSON payload, signed as sent"),
    responses: {
      200: { description: "not started: a duplicate delivery, skipped, or failed", schema: NotStarted },
      202: { description: "a session started", schema: AutomationDeliveryAccepted },
    },
    errors: [401, 429],
  },
  [`GET ${T}/budget`]: {
    summary: "This month's spend against the tenant's budget",
    tag: "settings",
    access: "tenant",
    responses: { 200: { description: "spend, budget and state", schema: TenantBudgetStatus } },
  },
  [`GET ${T}/analytics`]: {
    summary: "Sessions, success rate, PRs, tokens and cost over a range of days, by day and by a group",
    tag: "analytics",
    access: "tenant",
    query: AnalyticsQuery,
    responses: { 200: { description: "the report", schema: AnalyticsReport } },
  },
  [`GET ${T}/analytics.csv`]: {
    summary: "The same report as CSV (a download)",
    tag: "analytics",
    access: "tenant",
    query: AnalyticsQuery,
    responses: {
      200: {
        description: "one row per group; cells that a spreadsheet would run as formulas are escaped",
        mediaType: "text/csv",
        schema: z.string(),
        headers: { "content-disposition": "attachment, with the range in the file name" },
      },
    },
  },
  [`POST ${T}/linear/link`]: {
    summary: "Link the caller's Linear account (token from the app's link)",
    tag: "linear",
    access: "tenant",
    body: z.strictObject({ token: z.string().min(1).max(4_000) }),
    responses: {
      200: {
        description: "linked; `resumed` says a waiting delegation started",
        schema: z.object({ organizationId: z.string(), resumed: z.boolean() }),
      },
    },
  },
  ...inBothScopes({
    "GET /sessions/:id/linear-issue": {
      summary: "The Linear issue a session was started from",
      tag: "sessions",
      access: "tenant",
      params: { id: z.string().regex(/^[0-9a-z]{26}$/) },
      responses: {
        200: {
          description: "the issue",
          schema: z.object({ issueId: z.string(), identifier: z.string(), url: z.string() }),
        },
      },
    },
  }),
};
