import { screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { apiError, routeFetch } from "../../test/fetch-routes";
import { renderPage } from "../../test/render";
import SessionPage from "./session-page";

afterEach(() => vi.unstubAllGlobals());

describe("SessionPage", () => {
  it("says when the session does not exist and opens no stream for it", async () => {
    const opened: string[] = [];
    let closed = 0;
    vi.stubGlobal(
      "WebSocket",
      class extends EventTarget {
        readyState = 0;
        constructor(url: string) {
          super();
          opened.push(url);
        }
        close() {
          closed += 1;
        }
        send() {}
      },
    );
    routeFetch({
      "GET /api/v1/tenants/t1/sessions/01jd0000000000000000000099": () =>
        apiError(404, "session_not_found", "no session 01jd0000000000000000000099"),
    });
    renderPage(<SessionPage />, { path: "/sessions/01jd0000000000000000000099", route: "/sessions/:id" });
    await screen.findByText("no session 01jd0000000000000000000099");
    expect(screen.getByRole("link", { name: "Back to sessions" }).getAttribute("href")).toBe("/");
    // A socket opened while the request was in flight is closed once the 404 is known (the
    // reconnecting socket may not have opened one yet: then none is ever opened).
    expect(opened.length).toBeLessThanOrEqual(1);
    for (const url of opened)
      expect(url).toContain("/api/v1/tenants/t1/sessions/01jd0000000000000000000099/stream?after=0");
    await vi.waitFor(() => expect(closed).toBe(opened.length));
  });
});
