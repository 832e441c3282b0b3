import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { apiError, json, routeFetch } from "../../test/fetch-routes";
import { renderPage } from "../../test/render";
import NewSessionPage from "./new-session-page";

afterEach(() => vi.unstubAllGlobals());

const REPOS = {
  repositories: [{ repo: { kind: "local", path: "demo-repo" }, label: "demo-repo", defaultBranch: "main" }],
};

async function fillIn() {
  await userEvent.selectOptions(await screen.findByLabelText("Repository"), "local:demo-repo");
  await userEvent.type(screen.getByLabelText("Prompt"), "Add a README");
}

describe("New session → Advanced: limits", () => {
  it("sends the session's max turns and wall time, and nothing when left empty", async () => {
    const calls = routeFetch({
      "GET /api/v1/tenants/t1/repositories": () => json(REPOS),
      "POST /api/v1/tenants/t1/sessions": () => apiError(400, "invalid_request", "stop here"),
    });
    renderPage(<NewSessionPage />);
    await fillIn();
    await userEvent.click(screen.getByRole("button", { name: "Start session" }));
    await screen.findByRole("alert");
    expect(calls.find((c) => c.method === "POST")?.body).not.toHaveProperty("limits");

    await userEvent.click(screen.getByText("Advanced: limits"));
    await userEvent.type(screen.getByLabelText("Max turns"), "3");
    await userEvent.type(screen.getByLabelText("Max wall time (minutes)"), "45");
    await userEvent.click(screen.getByRole("button", { name: "Start session" }));
    await vi.waitFor(() => expect(calls.filter((c) => c.method === "POST")).toHaveLength(2));
    expect(calls.filter((c) => c.method === "POST")[1]?.body).toMatchObject({
      limits: { maxTurns: 3, maxMinutes: 45 },
    });
  });

  it("refuses a cap that is not a whole number of turns before sending, and shows the server's refusal of a looser cap", async () => {
    const calls = routeFetch({
      "GET /api/v1/tenants/t1/repositories": () => json(REPOS),
      "POST /api/v1/tenants/t1/sessions": () =>
        apiError(400, "invalid_request", "limits.maxTurns 50 is above this tenant's cap of 20 turns"),
    });
    renderPage(<NewSessionPage />);
    await fillIn();
    await userEvent.click(screen.getByText("Advanced: limits"));
    await userEvent.type(screen.getByLabelText("Max turns"), "0");
    await userEvent.click(screen.getByRole("button", { name: "Start session" }));
    expect((await screen.findByRole("alert")).textContent).toMatch(/^limits\.maxTurns: /);
    expect(calls.some((c) => c.method === "POST")).toBe(false);

    await userEvent.clear(screen.getByLabelText("Max turns"));
    await userEvent.type(screen.getByLabelText("Max turns"), "50");
    await userEvent.click(screen.getByRole("button", { name: "Start session" }));
    expect(await screen.findByText("limits.maxTurns 50 is above this tenant's cap of 20 turns")).toBeTruthy();
  });
});
