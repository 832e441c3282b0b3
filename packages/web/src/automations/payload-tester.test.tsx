import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AUTOMATION_ID, automation, REPOS, run } from "../../test/automations";
import { apiError, json, routeFetch } from "../../test/fetch-routes";
import { renderPage } from "../../test/render";
import AutomationsPage from "./automations-page";

afterEach(() => vi.unstubAllGlobals());

const BASE = "/api/v1/tenants/t1";
const TEST = `POST ${BASE}/automations/${AUTOMATION_ID}/test`;

/** userEvent reads { and [ as key names; pasting puts the text in as it is. */
async function pasteSample(text: string) {
  const box = screen.getByLabelText("Sample payload (JSON)");
  await userEvent.clear(box);
  box.focus();
  await userEvent.paste(text);
}

describe("the payload tester on a saved automation", () => {
  it("asks the server for a dry run and shows matched with the rendered prompt", async () => {
    const calls = routeFetch({
      [`GET ${BASE}/automations/${AUTOMATION_ID}`]: () => json(automation()),
      [`GET ${BASE}/automations/${AUTOMATION_ID}/runs`]: () => json({ runs: [], nextCursor: null }),
      [TEST]: () => json({ matched: true, prompt: "Fix lint on main", repo: "acme/api" }),
    });
    renderPage(<AutomationsPage />, { path: `/automations/${AUTOMATION_ID}`, route: "/automations/*" });
    await screen.findByRole("heading", { name: "Fix CI failures" });
    await pasteSample('{"check":"lint","branch":"main"}');
    await userEvent.click(screen.getByRole("button", { name: "Test payload" }));

    const result = await screen.findByTestId("tester-result");
    expect(result.textContent).toContain("Matched");
    expect(screen.getByTestId("rendered-prompt").textContent).toBe("Fix lint on main");
    expect(result.textContent).toContain("acme/api");
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({
      payload: { check: "lint", branch: "main" },
    });
  });

  it("shows skipped with the server's reason, and a payload that is not JSON without asking", async () => {
    const calls = routeFetch({
      [`GET ${BASE}/automations/${AUTOMATION_ID}`]: () =>
        json(automation({ filter: 'payload.branch == "main"' })),
      [`GET ${BASE}/automations/${AUTOMATION_ID}/runs`]: () => json({ runs: [], nextCursor: null }),
      [TEST]: () => json({ matched: false, reason: "the filter did not match" }),
    });
    renderPage(<AutomationsPage />, { path: `/automations/${AUTOMATION_ID}`, route: "/automations/*" });
    await screen.findByRole("heading", { name: "Fix CI failures" });

    await pasteSample("{not json");
    await userEvent.click(screen.getByRole("button", { name: "Test payload" }));
    expect((await screen.findByText(/The sample is not JSON/)).textContent).toBeTruthy();
    expect(calls.some((c) => c.method === "POST")).toBe(false);

    await pasteSample('{"branch":"dev"}');
    await userEvent.click(screen.getByRole("button", { name: "Test payload" }));
    const result = await screen.findByTestId("tester-result");
    expect(result.textContent).toContain("Skipped");
    expect(result.textContent).toContain("the filter did not match");
    expect(screen.queryByTestId("rendered-prompt")).toBeNull();
  });

  it("says when the server refuses the test", async () => {
    routeFetch({
      [`GET ${BASE}/automations/${AUTOMATION_ID}`]: () => json(automation()),
      [`GET ${BASE}/automations/${AUTOMATION_ID}/runs`]: () => json({ runs: [], nextCursor: null }),
      [TEST]: () => apiError(413, "payload_too_large", "the sample is over 256 KiB"),
    });
    renderPage(<AutomationsPage />, { path: `/automations/${AUTOMATION_ID}`, route: "/automations/*" });
    await screen.findByRole("heading", { name: "Fix CI failures" });
    await pasteSample("{}");
    await userEvent.click(screen.getByRole("button", { name: "Test payload" }));
    await screen.findByText("the sample is over 256 KiB");
  });
});

describe("running a saved webhook automation with a sample", () => {
  it("starts a real run with the pasted payload and links its session", async () => {
    const calls = routeFetch({
      [`GET ${BASE}/automations/${AUTOMATION_ID}`]: () => json(automation()),
      [`GET ${BASE}/automations/${AUTOMATION_ID}/runs`]: () => json({ runs: [], nextCursor: null }),
      [`POST ${BASE}/automations/${AUTOMATION_ID}/run`]: () =>
        json(
          {
            run: run(5, { sessionId: "01jd0000000000000000000055" }),
            sessionId: "01jd0000000000000000000055",
          },
          202,
        ),
    });
    renderPage(<AutomationsPage />, { path: `/automations/${AUTOMATION_ID}`, route: "/automations/*" });
    await screen.findByRole("heading", { name: "Fix CI failures" });
    await pasteSample('{"check":"lint","branch":"main"}');
    await userEvent.click(screen.getByRole("button", { name: "Run now with this payload" }));
    const result = await screen.findByTestId("run-now-result");
    expect(result.textContent).toContain("Run now: Started");
    expect(calls.find((c) => c.path.endsWith("/run"))?.body).toEqual({
      payload: { check: "lint", branch: "main" },
    });
  });

  it("is not offered for a schedule, which has no payload", async () => {
    routeFetch({
      [`GET ${BASE}/automations/${AUTOMATION_ID}`]: () =>
        json(automation({ trigger: { kind: "schedule", cron: "0 9 * * 1", timezone: "UTC" } })),
      [`GET ${BASE}/automations/${AUTOMATION_ID}/runs`]: () => json({ runs: [], nextCursor: null }),
    });
    renderPage(<AutomationsPage />, { path: `/automations/${AUTOMATION_ID}`, route: "/automations/*" });
    await screen.findByRole("heading", { name: "Fix CI failures" });
    expect(screen.getByRole("button", { name: "Test payload" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Run now with this payload" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Rotate secret" })).toBeNull();
  });
});

describe("the payload tester on a form not saved yet", () => {
  async function openForm() {
    const calls = routeFetch({ [`GET ${BASE}/repositories`]: () => json(REPOS) });
    renderPage(<AutomationsPage />, { path: "/automations/new", route: "/automations/*" });
    await screen.findByLabelText("Name");
    return calls;
  }

  async function typeInto(label: string, text: string) {
    const field = screen.getByLabelText(label);
    await userEvent.clear(field);
    field.focus();
    await userEvent.paste(text);
  }

  it("runs the draft's filter and template in the browser, sending nothing", async () => {
    const calls = await openForm();
    await typeInto("Prompt template", "Fix {{payload.check}} on {{payload.branch}}");
    await typeInto("Filter (optional)", 'payload.branch == "main" && payload.check exists');

    await pasteSample('{"check":"lint","branch":"main"}');
    await userEvent.click(screen.getByRole("button", { name: "Test payload" }));
    expect((await screen.findByTestId("tester-result")).textContent).toContain("Matched");
    expect(screen.getByTestId("rendered-prompt").textContent).toBe("Fix lint on main");

    await pasteSample('{"check":"lint","branch":"dev"}');
    await userEvent.click(screen.getByRole("button", { name: "Test payload" }));
    await waitFor(() => expect(screen.getByTestId("tester-result").textContent).toContain("Skipped"));
    expect(screen.getByTestId("tester-result").textContent).toContain("the filter did not match");
    expect(calls.filter((c) => c.method !== "GET")).toEqual([]);
  });

  it("points at a filter error and reports a template that renders empty", async () => {
    await openForm();
    await typeInto("Prompt template", "{{payload.missing}}");
    await typeInto("Filter (optional)", "payload.x ==");
    await pasteSample("{}");
    await userEvent.click(screen.getByRole("button", { name: "Test payload" }));
    const result = await screen.findByTestId("tester-result");
    expect(result.textContent).toContain("the filter does not parse");
    expect(result.querySelector(".field-error")?.getAttribute("data-position")).toBe("12");

    await typeInto("Filter (optional)", "");
    await userEvent.click(screen.getByRole("button", { name: "Test payload" }));
    await waitFor(() =>
      expect(screen.getByTestId("tester-result").textContent).toContain("the template rendered empty"),
    );
  });

  it("reads the repository from the payload path the form names", async () => {
    await openForm();
    await userEvent.click(screen.getByLabelText("From the payload"));
    await typeInto("Prompt template", "Triage {{payload.issue.title}}");
    await pasteSample('{"issue":{"title":"Crash"},"repository":{"full_name":"acme/web"}}');
    await userEvent.click(screen.getByRole("button", { name: "Test payload" }));
    const result = await screen.findByTestId("tester-result");
    expect(result.textContent).toContain("Repository: acme/web");
    expect(screen.getByTestId("rendered-prompt").textContent).toBe("Triage Crash");

    await pasteSample('{"issue":{"title":"Crash"}}');
    await userEvent.click(screen.getByRole("button", { name: "Test payload" }));
    await waitFor(() =>
      expect(screen.getByTestId("tester-result").textContent).toContain(
        'the payload has no "owner/name" repository at payload.repository.full_name',
      ),
    );
  });
});
