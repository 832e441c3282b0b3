import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AUTOMATION_ID, automation, REPOS } from "../../test/automations";
import { json, routeFetch } from "../../test/fetch-routes";
import { ADMIN_ME } from "../../test/render";
import { AuthProvider } from "../auth/auth-context";
import AutomationsPage from "./automations-page";

afterEach(() => vi.unstubAllGlobals());

const BASE = "/api/v1/tenants/t1";
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const ROTATED = "whsec_cm90YXRlZC1zZWNyZXQtc2hvd24tb25jZQ==";

function routes() {
  return routeFetch({
    [`GET ${BASE}/repositories`]: () => json(REPOS),
    [`GET ${BASE}/automations`]: () => json({ automations: [automation()] }),
    [`POST ${BASE}/automations`]: () => json({ automation: automation(), secret: SECRET }, 201),
    [`GET ${BASE}/automations/${AUTOMATION_ID}`]: () => json(automation()),
    [`GET ${BASE}/automations/${AUTOMATION_ID}/runs`]: () => json({ runs: [], nextCursor: null }),
    [`POST ${BASE}/automations/${AUTOMATION_ID}/rotate-secret`]: () =>
      json({ automation: automation(), secret: ROTATED }),
  });
}

/** The whole app's router (so the section can be left and entered again) and the query cache, kept for inspection. */
function renderApp(path: string) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[path]}>
        <AuthProvider me={ADMIN_ME}>
          <Routes>
            <Route path="/automations/*" element={<AutomationsPage />} />
            <Route path="/" element={<p>sessions page</p>} />
          </Routes>
        </AuthProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
  return client;
}

async function createOne() {
  await userEvent.type(await screen.findByLabelText("Name"), "Fix CI failures");
  await userEvent.selectOptions(screen.getByLabelText("Fixed repository"), "github:acme/api");
  await userEvent.type(screen.getByLabelText("Prompt template"), "Fix it");
  await userEvent.click(screen.getByRole("button", { name: "Create automation" }));
  await screen.findByRole("heading", { name: "Fix CI failures" });
}

describe("the signing secret, shown once", () => {
  it("shows the secret after create with its URL, a signed curl and copy buttons, then never again", async () => {
    routes();
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    const client = renderApp("/automations/new");
    await createOne();

    expect(screen.getByTestId("secret-value").textContent).toBe(SECRET);
    const url = `${window.location.origin}/webhooks/in/${AUTOMATION_ID}`;
    expect(screen.getByTestId("inbound-url").textContent).toBe(url);
    const curl = screen.getByTestId("curl-hint").textContent ?? "";
    expect(curl).toContain(`SECRET='${SECRET}'`);
    expect(curl).toContain(`URL='${url}'`);
    expect(curl).toContain('-H "webhook-signature: v1,$SIG"');
    await userEvent.click(screen.getByRole("button", { name: "Copy the signing secret" }));
    expect(writeText).toHaveBeenCalledWith(SECRET);
    expect(screen.getByRole("button", { name: "Copy the signing secret" }).textContent).toBe("Copied");

    // Nothing the page keeps holds it: not the query cache, not the history entry, not storage.
    expect(
      JSON.stringify(
        client
          .getQueryCache()
          .getAll()
          .map((q) => q.state.data),
      ),
    ).not.toContain(SECRET);
    expect(JSON.stringify(window.history.state ?? null)).not.toContain(SECRET);
    expect(JSON.stringify({ ...localStorage, ...sessionStorage })).not.toContain(SECRET);

    await userEvent.click(screen.getByRole("button", { name: "Done, I saved it" }));
    expect(screen.queryByTestId("automation-secret")).toBeNull();
    expect(document.body.textContent).not.toContain(SECRET);
  });

  it("forgets the secret once its page is left, even without Done", async () => {
    routes();
    renderApp("/automations/new");
    await createOne();
    expect(screen.getByTestId("secret-value").textContent).toBe(SECRET);
    await userEvent.click(screen.getByRole("link", { name: "← Automations" }));
    await userEvent.click(await screen.findByRole("link", { name: "Fix CI failures" }));
    await screen.findByRole("heading", { name: "Fix CI failures" });
    expect(screen.queryByTestId("automation-secret")).toBeNull();
    expect(document.body.textContent).not.toContain(SECRET);
  });

  it("shows a rotated secret once, saying the previous one keeps working for a day", async () => {
    routes();
    renderApp(`/automations/${AUTOMATION_ID}`);
    await screen.findByRole("heading", { name: "Fix CI failures" });
    expect(screen.queryByTestId("automation-secret")).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: "Rotate secret" }));
    expect((await screen.findByTestId("secret-value")).textContent).toBe(ROTATED);
    expect(screen.getByTestId("automation-secret").textContent).toContain(
      "The previous secret keeps working for 24 hours.",
    );
  });

  it("tells where the URL and the secret go for a preset instead of a curl", async () => {
    routeFetch({
      [`GET ${BASE}/repositories`]: () => json(REPOS),
      [`POST ${BASE}/automations`]: () =>
        json({ automation: automation({ trigger: { kind: "github_actions" } }), secret: SECRET }, 201),
      [`GET ${BASE}/automations/${AUTOMATION_ID}/runs`]: () => json({ runs: [], nextCursor: null }),
    });
    renderApp("/automations/new");
    await userEvent.click(await screen.findByLabelText("GitHub Actions failure"));
    await userEvent.click(screen.getByLabelText("A fixed repository"));
    await createOne();
    expect(screen.getByTestId("secret-value").textContent).toBe(SECRET);
    expect(screen.queryByTestId("curl-hint")).toBeNull();
    expect(screen.getByTestId("automation-secret").textContent).toContain("Workflow runs");
  });
});
