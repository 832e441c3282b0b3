import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { apiError, json, routeFetch } from "../../test/fetch-routes";
import { renderPage } from "../../test/render";
import NewSessionPage from "./new-session-page";
import { parseRepoInput } from "./repos-api";

afterEach(() => vi.unstubAllGlobals());

const CREATED = {
  id: "01jd0000000000000000000042",
  tenantId: "local",
  title: "Add a README",
  repo: { kind: "local", path: "demo-repo" },
  agent: "codex",
  model: "gpt-5-codex",
  status: "starting",
  trigger: "web",
  createdBy: "local",
  branch: "nightshift/add-a-readme-00000042",
  costUsd: 0,
  prUrl: null,
  createdAt: "2026-11-23T12:00:00.000Z",
  updatedAt: "2026-11-23T12:00:00.000Z",
};

describe("parseRepoInput", () => {
  it("reads local paths and GitHub names or URLs", () => {
    expect(parseRepoInput("local", "./demo-repo")).toEqual({
      ok: true,
      repo: { kind: "local", path: "demo-repo" },
    });
    expect(parseRepoInput("github", "https://github.com/acme/api.git")).toEqual({
      ok: true,
      repo: { kind: "github", owner: "acme", name: "api" },
    });
    expect(parseRepoInput("github", "acme")).toMatchObject({ ok: false });
    expect(parseRepoInput("local", "../etc")).toMatchObject({
      ok: false,
      message: expect.stringContaining(".."),
    });
    expect(parseRepoInput("local", " ")).toMatchObject({ ok: false });
  });
});

describe("NewSessionPage", () => {
  it("starts a session on a repository from the tenant's list and opens it", async () => {
    const calls = routeFetch({
      "GET /api/v1/tenants/t1/repositories": () =>
        json({
          repositories: [
            { repo: { kind: "local", path: "demo-repo" }, label: "demo-repo", defaultBranch: "main" },
            { repo: { kind: "local", path: "other" }, label: "other", defaultBranch: null },
          ],
        }),
      "POST /api/v1/tenants/t1/sessions": () => json(CREATED, 201),
    });
    renderPage(<NewSessionPage />);
    await userEvent.selectOptions(await screen.findByLabelText("Repository"), "local:demo-repo");
    await userEvent.selectOptions(screen.getByLabelText("Agent"), "codex");
    await userEvent.type(screen.getByLabelText("Model"), "gpt-5-codex");
    await userEvent.type(screen.getByLabelText("Prompt"), "Add a README");
    await userEvent.click(screen.getByRole("button", { name: "Start session" }));
    await screen.findByText("session page");
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({
      repo: { kind: "local", path: "demo-repo" },
      agent: "codex",
      model: "gpt-5-codex",
      prompt: "Add a README",
      allowForcePush: false,
    });
  });

  it("groups GitHub and local repositories and starts a session with the GitHub RepoRef", async () => {
    const calls = routeFetch({
      "GET /api/v1/tenants/t1/repositories": () =>
        json({
          repositories: [
            { repo: { kind: "local", path: "demo-repo" }, label: "demo-repo", defaultBranch: "main" },
            {
              repo: { kind: "github", owner: "acme", name: "api" },
              label: "acme/api",
              defaultBranch: "trunk",
            },
            {
              repo: { kind: "github", owner: "ada", name: "notes" },
              label: "ada/notes",
              defaultBranch: null,
            },
          ],
        }),
      "POST /api/v1/tenants/t1/sessions": () =>
        json({ ...CREATED, repo: { kind: "github", owner: "acme", name: "api" } }, 201),
    });
    renderPage(<NewSessionPage />);
    const picker = await screen.findByLabelText("Repository");
    const groups = [...picker.querySelectorAll("optgroup")].map((g) => ({
      label: g.label,
      options: [...g.querySelectorAll("option")].map((o) => [o.value, o.textContent]),
    }));
    expect(groups).toEqual([
      {
        label: "GitHub",
        options: [
          ["github:acme/api", "acme/api (trunk)"],
          ["github:ada/notes", "ada/notes"],
        ],
      },
      { label: "Local", options: [["local:demo-repo", "demo-repo (main)"]] },
    ]);
    await userEvent.selectOptions(picker, "github:acme/api");
    await userEvent.type(screen.getByLabelText("Prompt"), "Fix the flaky test");
    await userEvent.click(screen.getByRole("button", { name: "Start session" }));
    await screen.findByText("session page");
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({
      repo: { kind: "github", owner: "acme", name: "api" },
      agent: "claude-code",
      prompt: "Fix the flaky test",
      allowForcePush: false,
    });
  });

  it("offers only the agents the deployment runs, the tenant's default preselected, with that agent's models", async () => {
    const listing = (agent: string, displayName: string, models: string[], isDefault = false) => ({
      agent,
      displayName,
      providers: ["openai"],
      defaultModel: models[0],
      models,
      isDefault,
    });
    const calls = routeFetch({
      "GET /api/v1/tenants/t1/repositories": () =>
        json({
          repositories: [
            { repo: { kind: "local", path: "demo-repo" }, label: "demo-repo", defaultBranch: null },
          ],
        }),
      "GET /api/v1/tenants/t1/agents": () =>
        json({
          agents: [
            listing("claude-code", "Claude Code", ["claude-sonnet-4-5", "claude-opus-4-5"]),
            listing("codex", "Codex", ["gpt-5-mini", "gpt-5.5"], true),
          ],
          defaultAgent: "codex",
        }),
      "POST /api/v1/tenants/t1/sessions": () => json(CREATED, 201),
    });
    renderPage(<NewSessionPage />);
    const picker = (await screen.findByLabelText("Agent")) as HTMLSelectElement;
    expect([...picker.options].map((o) => [o.value, o.textContent])).toEqual([
      ["claude-code", "Claude Code"],
      ["codex", "Codex (default)"],
    ]);
    expect(picker.value).toBe("codex");
    const model = screen.getByLabelText("Model") as HTMLInputElement;
    expect(model.placeholder).toBe("gpt-5-mini (default)");
    const offered = () => [...(model.list?.querySelectorAll("option") ?? [])].map((o) => o.value);
    expect(offered()).toEqual(["gpt-5-mini", "gpt-5.5"]);

    // A model typed for one agent is dropped when another agent does not offer it.
    await userEvent.type(model, "gpt-5.5");
    await userEvent.selectOptions(picker, "claude-code");
    expect(model.value).toBe("");
    expect(offered()).toEqual(["claude-sonnet-4-5", "claude-opus-4-5"]);
    await userEvent.selectOptions(picker, "codex");

    await userEvent.selectOptions(screen.getByLabelText("Repository"), "local:demo-repo");
    await userEvent.type(screen.getByLabelText("Prompt"), "Try the default");
    await userEvent.click(screen.getByRole("button", { name: "Start session" }));
    await screen.findByText("session page");
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({
      repo: { kind: "local", path: "demo-repo" },
      agent: "codex",
      prompt: "Try the default",
      allowForcePush: false,
    });
  });

  it("shows the server's agent_unavailable refusal beside the form", async () => {
    routeFetch({
      "GET /api/v1/tenants/t1/repositories": () =>
        json({
          repositories: [
            { repo: { kind: "local", path: "demo-repo" }, label: "demo-repo", defaultBranch: null },
          ],
        }),
      "POST /api/v1/tenants/t1/sessions": () =>
        apiError(
          400,
          "agent_unavailable",
          "this deployment cannot run the agent pi; it can run: codex (Codex)",
        ),
    });
    renderPage(<NewSessionPage />);
    await userEvent.selectOptions(await screen.findByLabelText("Repository"), "local:demo-repo");
    await userEvent.selectOptions(screen.getByLabelText("Agent"), "pi");
    await userEvent.type(screen.getByLabelText("Prompt"), "Try Pi");
    await userEvent.click(screen.getByRole("button", { name: "Start session" }));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toMatch(/cannot run the agent pi/));
  });

  it("points to the GitHub settings when there are no repositories", async () => {
    routeFetch({ "GET /api/v1/tenants/t1/repositories": () => json({ repositories: [] }) });
    renderPage(<NewSessionPage />);
    const link = await screen.findByRole("link", { name: "Settings" });
    expect(link.getAttribute("href")).toBe("/settings/github");
  });

  it("asks for the repository by hand when the server has no list, and validates before sending", async () => {
    const calls = routeFetch({
      "POST /api/v1/tenants/t1/sessions": () => apiError(400, "invalid_request", "repo: not found"),
    });
    renderPage(<NewSessionPage />);
    await userEvent.click(await screen.findByRole("button", { name: "Start session" }));
    expect(screen.getByRole("alert").textContent).toBe("Choose or type a repository.");
    await userEvent.type(screen.getByLabelText(/Repository path/), "demo-repo");
    await userEvent.click(screen.getByRole("button", { name: "Start session" }));
    expect(screen.getByRole("alert").textContent).toContain("prompt");
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(0);
    await userEvent.type(screen.getByLabelText("Prompt"), "do it");
    await userEvent.click(screen.getByRole("button", { name: "Start session" }));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toBe("repo: not found"));
  });
});
