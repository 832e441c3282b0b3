import { describe, expect, it } from "vitest";
import { issuePrompt, mentionPrompt, pullRequestBody, resultComment } from "./messages";

const SESSION = "https://nightshift.example/sessions/s1";

describe("prompts", () => {
  it("builds the issue prompt from its number, title and body", () => {
    const prompt = issuePrompt({ number: 7, title: "Fix the typo", body: "  It says 'commmit'.  " });
    expect(prompt.split("\n")[0]).toBe("Resolve GitHub issue #7: Fix the typo");
    expect(prompt).toContain("\nIt says 'commmit'.\n");
    expect(prompt).toMatch(/Keep it focused on the issue/);
  });

  it("says so when the issue has no description", () => {
    expect(issuePrompt({ number: 7, title: "Fix it", body: " \n " })).toContain(
      "(the issue has no description)",
    );
  });

  it("clips a huge issue body", () => {
    const prompt = issuePrompt({ number: 1, title: "Big", body: "x".repeat(200_000) });
    expect(prompt.length).toBeLessThan(51_000);
    expect(prompt).toContain("…(truncated)");
    expect(prompt).toMatch(/explain what you changed at the end\.$/);
  });

  it("builds the mention prompt with who asked and on which pull request", () => {
    const prompt = mentionPrompt("rename the helper", { number: 12, title: "Add helpers" }, "octocat");
    expect(prompt.split("\n")[0]).toBe("@octocat asked on pull request #12 (Add helpers):");
    expect(prompt).toContain("\nrename the helper\n");
    expect(prompt).toMatch(/on this branch/);
  });
});

describe("resultComment", () => {
  const base = {
    login: "octocat",
    outcome: "completed" as const,
    summary: "Renamed the helper.",
    pr: { number: 12, url: "https://github.example/acme/widgets/pull/12" },
    sessionUrl: SESSION,
  };

  it("points a finished run at its pull request, with the summary and the session", () => {
    const body = resultComment(base);
    expect(body.startsWith("@octocat done — see #12.")).toBe(true);
    expect(body).toContain("\n\nRenamed the helper.\n\n");
    expect(body.endsWith(`Session: ${SESSION}`)).toBe(true);
  });

  it("says no pull request was needed when the run changed nothing", () => {
    const body = resultComment({ ...base, pr: null });
    expect(body).toContain("done (no changes were needed, so no pull request).");
    expect(body).not.toMatch(/#\d/);
  });

  it("words failures and cancellations, and leaves out the mention when nobody asked", () => {
    expect(resultComment({ ...base, outcome: "failed" })).toMatch(/^@octocat the run failed/);
    expect(resultComment({ ...base, outcome: "cancelled" })).toMatch(/^@octocat the run was stopped/);
    expect(resultComment({ ...base, login: null })).toMatch(/^done — see #12\./);
  });

  it("omits an empty summary", () => {
    expect(resultComment({ ...base, summary: "   " })).toBe(
      `@octocat done — see #12.\n\nSession: ${SESSION}`,
    );
    expect(resultComment({ ...base, summary: null })).toBe(`@octocat done — see #12.\n\nSession: ${SESSION}`);
  });

  it("clips a huge summary but keeps the session link", () => {
    const body = resultComment({ ...base, summary: "y".repeat(500_000) });
    expect(body.length).toBeLessThanOrEqual(20_100);
    expect(body).toContain("…(truncated)");
    expect(body.endsWith(`Session: ${SESSION}`)).toBe(true);
  });
});

describe("pullRequestBody", () => {
  const base = { summary: "Fixed the typo.", closesIssue: null, requestedBy: "octocat", sessionUrl: SESSION };

  it("closes the issue only for sessions started from one", () => {
    expect(pullRequestBody({ ...base, closesIssue: 7 })).toContain("\n\nCloses #7\n\n");
    expect(pullRequestBody(base)).not.toMatch(/Closes/);
  });

  it("credits who asked and links the session", () => {
    expect(pullRequestBody(base)).toBe(
      `Fixed the typo.\n\n---\nOpened by Nightshift for @octocat · session: ${SESSION}`,
    );
    expect(pullRequestBody({ ...base, requestedBy: null })).toMatch(
      /\n---\nOpened by Nightshift · session: https:/,
    );
  });

  it("has a default text when there is no summary", () => {
    expect(pullRequestBody({ ...base, summary: " " }).startsWith("Changes made by the agent.\n")).toBe(true);
  });

  it("clips a huge summary and keeps Closes and the footer", () => {
    const body = pullRequestBody({ ...base, summary: "z".repeat(300_000), closesIssue: 7 });
    expect(body.length).toBeLessThanOrEqual(20_200);
    expect(body).toContain("…(truncated)\n\nCloses #7");
    expect(body.endsWith(`session: ${SESSION}`)).toBe(true);
  });
});
