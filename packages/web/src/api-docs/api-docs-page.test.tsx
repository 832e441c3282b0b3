import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { json, routeFetch } from "../../test/fetch-routes";
import { renderPage } from "../../test/render";
import ApiDocsPage from "./api-docs-page";

afterEach(() => vi.unstubAllGlobals());

const errorRef = { content: { "application/json": { schema: { $ref: "#/components/schemas/ErrorBody" } } } };

/** The shape the control plane serves (src/openapi/document.ts), cut down to two operations. */
const DOC = {
  openapi: "3.1.0",
  info: { title: "Nightshift control plane API", version: "0.1.0", description: "Background coding agents." },
  components: {
    schemas: {
      ErrorBody: {
        type: "object",
        properties: {
          error: { type: "object", properties: { code: { type: "string" } }, required: ["code"] },
        },
        required: ["error"],
      },
    },
  },
  paths: {
    "/api/v1/sessions/{id}/prompts": {
      post: {
        operationId: "POST_api_v1_sessions_id_prompts",
        summary: "Send a follow-up prompt",
        description: "Queued behind the others; `position` says how many wait ahead.",
        tags: ["sessions"],
        security: [{ apiKey: [] }],
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: {
                type: "object",
                properties: { text: { type: "string", description: "what to ask" } },
                required: ["text"],
              },
            },
          },
        },
        responses: {
          "202": {
            description: "queued",
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  properties: { position: { type: "integer" } },
                  required: ["position"],
                },
              },
            },
          },
          "400": { description: "the request is invalid", ...errorRef },
        },
      },
    },
    "/api/v1/health": {
      get: {
        operationId: "GET_api_v1_health",
        summary: "Liveness probe",
        tags: ["health"],
        security: [],
        responses: { "200": { description: "the control plane answers" } },
      },
    },
  },
};

describe("the API reference page (/api-docs)", () => {
  it("renders the served OpenAPI document by tag: operations, parameters, body fields and responses", async () => {
    routeFetch({ "GET /api/v1/openapi.json": () => json(DOC) });
    renderPage(<ApiDocsPage />, { path: "/api-docs", route: "/api-docs" });
    expect(await screen.findByRole("heading", { name: /Nightshift control plane API/ })).toBeTruthy();
    const sessions = screen.getByRole("region", { name: "sessions" });
    expect(within(sessions).getByText("POST")).toBeTruthy();
    expect(within(sessions).getByText("/api/v1/sessions/{id}/prompts")).toBeTruthy();
    expect(within(sessions).getByText("Send a follow-up prompt")).toBeTruthy();
    expect(within(sessions).getByText(/what to ask/)).toBeTruthy();
    expect(within(sessions).getByText("queued")).toBeTruthy();
    // Backticks in a description are code, as in CommonMark.
    expect(within(sessions).getByText("position", { selector: "p > code" })).toBeTruthy();
    expect(within(sessions).getAllByText("ErrorBody").length).toBeGreaterThan(0);
    expect(within(screen.getByRole("region", { name: "health" })).getByText(/public/)).toBeTruthy();
  });

  it("filters operations as you type", async () => {
    routeFetch({ "GET /api/v1/openapi.json": () => json(DOC) });
    renderPage(<ApiDocsPage />, { path: "/api-docs", route: "/api-docs" });
    await userEvent.type(await screen.findByLabelText("Filter"), "health");
    expect(screen.queryByText("Send a follow-up prompt")).toBeNull();
    expect(screen.getByText("Liveness probe")).toBeTruthy();
    await userEvent.clear(screen.getByLabelText("Filter"));
    await userEvent.type(screen.getByLabelText("Filter"), "nothing-like-this");
    expect(screen.getByText(/No endpoint matches/)).toBeTruthy();
  });
});
