import { Session } from "@nightshift/protocol";
import { screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { json, routeFetch } from "../../test/fetch-routes";
import { renderPage } from "../../test/render";
import { paidByText } from "../ui/model-account-labels";
import SessionPage from "./session-page";

const ID = "01jd0000000000000000000042";

const session = (createdBy: string) =>
  Session.parse({
    id: ID,
    tenantId: "t1",
    title: "Add a greeting",
    repo: { kind: "local", path: "demo-repo" },
    agent: "claude-code",
    model: "claude-sonnet-4-5",
    status: "running",
    trigger: "web",
    createdBy,
    branch: "nightshift/add-a-greeting-1a2b3c4d",
    costUsd: 0,
    prUrl: null,
    createdAt: "2026-11-23T12:00:00.000Z",
    updatedAt: "2026-11-23T12:00:05.000Z",
  });

const usage = (paidBy: string[]) => ({ sessionId: ID, calls: 2, costUsd: 0.01, paidBy, byModel: [] });

/** A socket that never opens: these tests are about the header, not the stream. */
class SilentSocket extends EventTarget {
  readyState = 0;
  close() {}
  send() {}
}

beforeEach(() => vi.stubGlobal("WebSocket", SilentSocket));
afterEach(() => vi.unstubAllGlobals());

function serve(createdBy: string, paidBy: string[]) {
  routeFetch({
    [`GET /api/v1/tenants/t1/sessions/${ID}`]: () => json(session(createdBy)),
    [`GET /api/v1/tenants/t1/sessions/${ID}/usage`]: () => json(usage(paidBy)),
  });
  renderPage(<SessionPage />, { path: `/sessions/${ID}`, route: "/sessions/:id" });
}

describe("the session header says which model account paid", () => {
  it("'your account' to the session's creator when their own account paid", async () => {
    serve("u1", ["user"]);
    expect((await screen.findByTestId("session-paid-by")).textContent).toBe(" · paid by your account");
  });

  it("'the creator's account' to anyone else, and every account that paid", async () => {
    serve("u-other", ["user", "tenant"]);
    expect((await screen.findByTestId("session-paid-by")).textContent).toBe(
      " · paid by the creator's account, tenant account",
    );
  });

  it("names the deployment's key, and says nothing before any call was recorded", () => {
    expect(paidByText(["deployment"], true)).toBe("deployment");
    expect(paidByText([], true)).toBeNull();
  });
});
