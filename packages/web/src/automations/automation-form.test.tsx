import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AUTOMATION_ID, automation, REPOS } from "../../test/automations";
import { apiError, json, routeFetch } from "../../test/fetch-routes";
import { renderPage } from "../../test/render";
import AutomationsPage from "./automations-page";

afterEach(() => vi.unstubAllGlobals());

const BASE = "/api/v1/tenants/t1";
const CREATE = `POST ${BASE}/automations`;

function formRoutes(extra: Record<string, Parameters<typeof routeFetch>[0][string]> = {}) {
  return routeFetch({
    [`GET ${BASE}/repositories`]: () => json(REPOS),
    [`GET ${BASE}/automations/${AUTOMATION_ID}/runs`]: () => json({ runs: [], nextCursor: null }),
    ...extra,
  });
}

function openNewForm() {
  return renderPage(<AutomationsPage />, { path: "/automations/new", route: "/automations/*" });
}

async function fillWebhookBasics() {
  await userEvent.type(await screen.findByLabelText("Name"), "Fix CI failures");
  await userEvent.selectOptions(screen.getByLabelText("Fixed repository"), "github:acme/api");
  await userEvent.type(screen.getByLabelText("Prompt template"), "Fix {{{{payload.check}}");
}

/** The problem shown beside a field: the field's own error line, under its label and control. */
function problemOf(label: string): HTMLElement {
  const node = screen.getByLabelText(label).closest(".field")?.querySelector<HTMLElement>(".field-error");
  if (!node) throw new Error(`no problem shown beside ${label}`);
  return node;
}

describe("the automation form", () => {
  it("points at the position of a filter that does not parse, beside the field, before sending anything", async () => {
    const calls = formRoutes();
    openNewForm();
    await fillWebhookBasics();
    await userEvent.type(screen.getByLabelText("Filter (optional)"), 'payload.action == "opened" &&');
    await userEvent.click(screen.getByRole("button", { name: "Create automation" }));

    const problem = problemOf("Filter (optional)");
    expect(problem.dataset.position).toBe("29");
    expect(problem.textContent).toContain("(line 1, column 30)");
    // The caret sits under the spot the parser stopped at.
    const pointer = problem.querySelector(".expr-pointer")?.textContent ?? "";
    const [line, caret] = pointer.split("\n");
    expect(line).toBe('payload.action == "opened" &&');
    expect(caret).toBe(`${" ".repeat(29)}^`);
    expect(screen.getByLabelText("Filter (optional)").getAttribute("aria-invalid")).toBe("true");
    expect(calls.some((c) => c.method === "POST")).toBe(false);
  });

  it("says which required fields are missing, each beside its own field", async () => {
    const calls = formRoutes();
    openNewForm();
    await userEvent.click(await screen.findByRole("button", { name: "Create automation" }));
    expect(problemOf("Name").textContent).toContain("must not be empty");
    expect(problemOf("Fixed repository").textContent).toBe("Choose a repository.");
    expect(problemOf("Prompt template").textContent).toBe("Write the prompt the agent gets.");
    expect(calls.some((c) => c.method === "POST")).toBe(false);
  });

  it("shows the server's 400 beside the field it names, with the position it gives", async () => {
    formRoutes({
      [CREATE]: () =>
        json(
          {
            error: {
              code: "invalid_request",
              message: "invalid body: trigger.cron: unknown day of week 'MOO'",
              issues: [
                { path: "trigger.cron", message: "unknown day of week 'MOO'" },
                // The Worker's shape (automations/definition.ts): the parser's message, then the position.
                { path: "promptTemplate", message: "unknown root 'payloda' at 6 (at position 6)" },
              ],
            },
          },
          400,
        ),
    });
    openNewForm();
    await fillWebhookBasics();
    await userEvent.click(screen.getByLabelText("Schedule"));
    await userEvent.clear(screen.getByLabelText("Cron expression"));
    await userEvent.type(screen.getByLabelText("Cron expression"), "0 9 * * MOO");
    await userEvent.click(screen.getByRole("button", { name: "Create automation" }));

    await waitFor(() => expect(problemOf("Cron expression").textContent).toBe("unknown day of week 'MOO'"));
    const template = problemOf("Prompt template");
    expect(template.dataset.position).toBe("6");
    expect(template.textContent).toContain("unknown root 'payloda' (line 1, column 7)");
  });

  it("puts a server failure that names no field under the form", async () => {
    formRoutes({ [CREATE]: () => apiError(409, "conflict", "an automation with this name exists") });
    openNewForm();
    await fillWebhookBasics();
    await userEvent.click(screen.getByRole("button", { name: "Create automation" }));
    await screen.findByText("an automation with this name exists");
  });

  it("sends the draft as the protocol's create request", async () => {
    const calls = formRoutes({
      [CREATE]: () =>
        json({ automation: automation(), secret: "whsec_c2VjcmV0LXNob3duLW9uY2UtMTIzNDU2Nzg=" }, 201),
      [`GET ${BASE}/automations/${AUTOMATION_ID}`]: () => json(automation()),
    });
    openNewForm();
    await fillWebhookBasics();
    await userEvent.type(
      screen.getByLabelText("Filter (optional)"),
      'payload.check exists && payload.branch == "main"',
    );
    await userEvent.type(screen.getByLabelText("Dedupe key (optional)"), "payload.run_id");
    await userEvent.clear(screen.getByLabelText("Max runs per hour"));
    await userEvent.type(screen.getByLabelText("Max runs per hour"), "10");
    await userEvent.click(screen.getByRole("button", { name: "Create automation" }));
    await screen.findByTestId("automation-secret");
    const sent = calls.find((c) => c.method === "POST");
    expect(sent?.body).toEqual({
      name: "Fix CI failures",
      enabled: true,
      trigger: { kind: "webhook" },
      repo: { mode: "fixed", repo: { kind: "github", owner: "acme", name: "api" } },
      promptTemplate: "Fix {{payload.check}}",
      filter: 'payload.check exists && payload.branch == "main"',
      dedupeKey: "payload.run_id",
      limits: { maxRunsPerHour: 10, maxConcurrent: 3 },
    });
  });

  it("edits with a PATCH that clears what the form emptied", async () => {
    const saved = automation({ filter: 'payload.branch == "main"', model: "claude-sonnet-4-5" });
    const calls = formRoutes({
      [`GET ${BASE}/automations/${AUTOMATION_ID}`]: () => json(saved),
      [`PATCH ${BASE}/automations/${AUTOMATION_ID}`]: () => json({ ...saved, filter: undefined }),
    });
    renderPage(<AutomationsPage />, { path: `/automations/${AUTOMATION_ID}/edit`, route: "/automations/*" });
    const filter = await screen.findByLabelText("Filter (optional)");
    expect((filter as HTMLTextAreaElement).value).toBe('payload.branch == "main"');
    // A saved automation keeps its trigger kind.
    expect((screen.getByLabelText("Schedule") as HTMLInputElement).disabled).toBe(true);
    await userEvent.clear(filter);
    await userEvent.click(screen.getByRole("button", { name: "Save changes" }));
    await waitFor(() => expect(calls.some((c) => c.method === "PATCH")).toBe(true));
    const patch = calls.find((c) => c.method === "PATCH")?.body as Record<string, unknown>;
    expect(patch.filter).toBeNull();
    expect(patch.dedupeKey).toBeNull();
    expect(patch.model).toBe("claude-sonnet-4-5");
    expect(patch).not.toHaveProperty("enabled");
    await screen.findByRole("heading", { name: "Fix CI failures" });
  });

  it("takes the repository from a payload path", async () => {
    const calls = formRoutes({ [CREATE]: () => json({ automation: automation() }, 201) });
    openNewForm();
    await userEvent.type(await screen.findByLabelText("Name"), "From GitHub");
    await userEvent.click(screen.getByLabelText("GitHub Actions failure"));
    // Its events name their repository: the form switches to it by itself.
    expect((screen.getByLabelText("From the payload") as HTMLInputElement).checked).toBe(true);
    await userEvent.click(screen.getByRole("button", { name: "Create automation" }));
    await waitFor(() => expect(calls.some((c) => c.method === "POST")).toBe(true));
    const sent = calls.find((c) => c.method === "POST")?.body as Record<string, unknown>;
    expect(sent.trigger).toEqual({ kind: "github_actions" });
    expect(sent.repo).toEqual({ mode: "payload", path: "payload.repository.full_name" });
    // A preset brings its own prompt.
    expect(sent.promptTemplate).toBe("");
    expect(within(document.body).queryByText("Write the prompt the agent gets.")).toBeNull();
  });
});
