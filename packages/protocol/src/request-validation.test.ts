/**
 * What the API refuses before any handler runs: each bound and pattern of the request schemas,
 * checked just inside and just outside, with the message a person reads.
 */
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  AddMemberRequest,
  CreateApiKeyRequest,
  CreateSessionRequest,
  CreateTenantRequest,
  DeleteTenantQuery,
  DevLoginRequest,
  EventsPageQuery,
  GithubCallbackQuery,
  GithubLoginQuery,
  GithubSetupQuery,
  ListAuditQuery,
  ListSessionsQuery,
  PutEgressSettingsRequest,
  PutSecretRequest,
  RepoKey,
  RepoRef,
  SecretName,
  SecretScopeQuery,
  SendPromptRequest,
  StreamQuery,
  TenantSlug,
} from "./index.ts";

const ok = (schema: z.ZodType, value: unknown) => schema.safeParse(value).success;
/** The first issue's message, or null when the value is accepted. */
function refusal(schema: z.ZodType, value: unknown): string | null {
  const result = schema.safeParse(value);
  return result.success ? null : (result.error.issues[0]?.message ?? "");
}
const s = (n: number, c = "a") => c.repeat(n);

describe("tenants and sign-in", () => {
  it("a slug is 3 to 40 lowercase characters with inner dashes, never shaped like a tenant id", () => {
    expect(ok(TenantSlug, "abc")).toBe(true);
    expect(ok(TenantSlug, "ab")).toBe(false);
    expect(ok(TenantSlug, s(40))).toBe(true);
    expect(ok(TenantSlug, s(41))).toBe(false);
    expect(ok(TenantSlug, "my-team-2")).toBe(true);
    for (const bad of ["-team", "team-", "Team", "te am", "xteam!"])
      expect(refusal(TenantSlug, bad)).toBe("use lowercase letters, digits and inner '-'");
    expect(refusal(TenantSlug, "01hzy3k4m5n6p7q8r9s0t1v2w3")).toBe("must not look like a tenant id");
    expect(ok(TenantSlug, "01hzy3k4m5n6p7q8r9s0t1v2w")).toBe(true);
  });

  it("creating a tenant trims its name and wants 1 to 100 characters", () => {
    expect(CreateTenantRequest.parse({ name: "  Acme  ", slug: "acme" })).toEqual({
      name: "Acme",
      slug: "acme",
    });
    expect(ok(CreateTenantRequest, { name: "   ", slug: "acme" })).toBe(false);
    expect(ok(CreateTenantRequest, { name: s(100), slug: "acme" })).toBe(true);
    expect(ok(CreateTenantRequest, { name: s(101), slug: "acme" })).toBe(false);
    expect(ok(CreateTenantRequest, { name: "A", slug: "acme", extra: 1 })).toBe(false);
  });

  it("deleting a tenant repeats a slug of 1 to 64 characters", () => {
    expect(ok(DeleteTenantQuery, { confirm: "" })).toBe(false);
    expect(ok(DeleteTenantQuery, { confirm: s(64) })).toBe(true);
    expect(ok(DeleteTenantQuery, { confirm: s(65) })).toBe(false);
  });

  it("a sign-in redirect stays on this site", () => {
    expect(GithubLoginQuery.parse({})).toEqual({ redirect: "/" });
    expect(GithubLoginQuery.parse({ redirect: "/sessions/1?tab=log" })).toEqual({
      redirect: "/sessions/1?tab=log",
    });
    for (const bad of ["//evil.example", "/\\evil.example", "https://evil.example/", "/a b", "/a\\b", "x/"])
      expect(refusal(GithubLoginQuery, { redirect: bad })).toBe(
        "must be a path on this site starting with a single '/'",
      );
    expect(ok(GithubLoginQuery, { redirect: `/${s(1999)}` })).toBe(true);
    expect(ok(GithubLoginQuery, { redirect: `/${s(2000)}` })).toBe(false);
  });

  it("GitHub's callback parameters are bounded", () => {
    expect(ok(GithubCallbackQuery, { code: "c", state: "s" })).toBe(true);
    expect(ok(GithubCallbackQuery, { code: "" })).toBe(false);
    expect(ok(GithubCallbackQuery, { code: s(500), state: s(500) })).toBe(true);
    expect(ok(GithubCallbackQuery, { code: s(501) })).toBe(false);
    expect(ok(GithubCallbackQuery, { state: s(501) })).toBe(false);
    expect(ok(GithubCallbackQuery, { error: s(201) })).toBe(false);
    expect(ok(GithubCallbackQuery, { error_description: s(1001) })).toBe(false);
  });

  it("the App's setup redirect carries a numeric installation id", () => {
    expect(GithubSetupQuery.parse({ installation_id: "42", setup_action: "install" })).toEqual({
      installation_id: 42,
      setup_action: "install",
    });
    expect(refusal(GithubSetupQuery, { installation_id: "0" })).toBe(
      "installation_id must be GitHub's numeric id",
    );
    expect(ok(GithubSetupQuery, { state: "" })).toBe(false);
    expect(ok(GithubSetupQuery, { state: s(4001) })).toBe(false);
  });

  it("a dev login is a GitHub-shaped login and a trimmed name", () => {
    expect(DevLoginRequest.parse({ login: "ada-l", name: "  Ada  " })).toEqual({
      login: "ada-l",
      name: "Ada",
    });
    expect(ok(DevLoginRequest, { login: s(39) })).toBe(true);
    expect(ok(DevLoginRequest, { login: s(40) })).toBe(false);
    expect(ok(DevLoginRequest, { login: "" })).toBe(false);
    expect(refusal(DevLoginRequest, { login: "ada_l" })).toBe("letters, digits and '-' only");
    expect(ok(DevLoginRequest, { login: "x ada" })).toBe(false);
    expect(ok(DevLoginRequest, { login: "ada!" })).toBe(false);
    expect(ok(DevLoginRequest, { name: "  " })).toBe(false);
    expect(ok(DevLoginRequest, { name: s(101) })).toBe(false);
  });
});

describe("members and API keys", () => {
  it("a member is added as a member unless a role is named", () => {
    expect(AddMemberRequest.parse({ login: "ada" })).toEqual({ login: "ada", role: "member" });
    expect(ok(AddMemberRequest, { login: "" })).toBe(false);
    expect(ok(AddMemberRequest, { login: s(40) })).toBe(false);
    expect(ok(AddMemberRequest, { login: "ada", role: "root" })).toBe(false);
  });

  it("an API key has a trimmed name and lives 1 to 3650 days", () => {
    expect(CreateApiKeyRequest.parse({ name: " ci " })).toEqual({ name: "ci" });
    expect(ok(CreateApiKeyRequest, { name: " " })).toBe(false);
    expect(ok(CreateApiKeyRequest, { name: s(101) })).toBe(false);
    expect(ok(CreateApiKeyRequest, { name: "ci", expiresInDays: 0 })).toBe(false);
    expect(ok(CreateApiKeyRequest, { name: "ci", expiresInDays: 3650 })).toBe(true);
    expect(ok(CreateApiKeyRequest, { name: "ci", expiresInDays: 3651 })).toBe(false);
  });

  it("the audit log pages 1 to 200 entries, 50 unless asked", () => {
    expect(ListAuditQuery.parse({})).toEqual({ limit: 50 });
    expect(ListAuditQuery.parse({ limit: "200" })).toEqual({ limit: 200 });
    expect(ok(ListAuditQuery, { limit: "0" })).toBe(false);
    expect(ok(ListAuditQuery, { limit: "201" })).toBe(false);
    expect(ok(ListAuditQuery, { cursor: s(200) })).toBe(true);
    expect(ok(ListAuditQuery, { cursor: s(201) })).toBe(false);
    expect(ok(ListAuditQuery, { action: "secret.read" })).toBe(false);
  });
});

describe("secrets", () => {
  it("a secret name is an upper-case environment variable name", () => {
    expect(ok(SecretName, "NPM_TOKEN")).toBe(true);
    expect(ok(SecretName, "_X1")).toBe(true);
    for (const bad of ["npm_token", "1TOKEN", "MY-TOKEN", "A B", "XA-", "-XA"])
      expect(refusal(SecretName, bad)).toBe(
        "use uppercase letters, digits and '_', not starting with a digit",
      );
    expect(ok(SecretName, s(128, "A"))).toBe(true);
    expect(ok(SecretName, s(129, "A"))).toBe(false);
  });

  it("a repository key is github:<owner>/<name> in lowercase or local:<path>, without '..'", () => {
    expect(ok(RepoKey, "github:acme/app")).toBe(true);
    expect(ok(RepoKey, "local:demo/sub_dir.x")).toBe(true);
    for (const bad of [
      "github:Acme/app",
      "github:acme",
      "gitlab:acme/app",
      "xgithub:acme/app",
      "github:acme/app/",
    ])
      expect(refusal(RepoKey, bad)).toBe("use 'github:<owner>/<name>' (lowercase) or 'local:<path>'");
    expect(refusal(RepoKey, "local:demo/../etc")).toBe("must not contain '..'");
    expect(refusal(RepoKey, "github:../app")).toBe("must not contain '..'");
    expect(ok(RepoKey, "local:a..b")).toBe(true);
    expect(ok(RepoKey, `local:${s(594)}`)).toBe(true);
    expect(ok(RepoKey, `local:${s(595)}`)).toBe(false);
    expect(ok(SecretScopeQuery, { repo: "github:acme/app" })).toBe(true);
    expect(ok(SecretScopeQuery, { repo: "acme/app" })).toBe(false);
  });

  it("a secret value is 1 byte to 32 KiB of UTF-8", () => {
    expect(refusal(PutSecretRequest, { value: "" })).toBe("must not be empty");
    expect(ok(PutSecretRequest, { value: s(32 * 1024) })).toBe(true);
    expect(refusal(PutSecretRequest, { value: s(32 * 1024 + 1) })).toBe("must be at most 32768 bytes");
    // 16 Ki two-byte characters is 32 KiB: one more is over, though it is far fewer characters.
    expect(ok(PutSecretRequest, { value: s(16 * 1024, "é") })).toBe(true);
    expect(ok(PutSecretRequest, { value: s(16 * 1024 + 1, "é") })).toBe(false);
  });
});

describe("sessions", () => {
  const repo = { kind: "github", owner: "acme", name: "app" };

  it("a repository is a local path without '..' or a GitHub owner/name of safe characters", () => {
    expect(ok(RepoRef, { kind: "local", path: "demo/sub" })).toBe(true);
    expect(refusal(RepoRef, { kind: "local", path: "demo/../etc" })).toBe("must not contain '..'");
    expect(ok(RepoRef, { kind: "local", path: "a..b" })).toBe(true);
    expect(ok(RepoRef, { kind: "local", path: "" })).toBe(false);
    expect(ok(RepoRef, { kind: "local", path: s(500) })).toBe(true);
    expect(ok(RepoRef, { kind: "local", path: s(501) })).toBe(false);
    expect(ok(RepoRef, { kind: "github", owner: "a-b_c.d", name: "x" })).toBe(true);
    for (const bad of ["ac/me", "-x/", "x y", "ac!me", "!acme"])
      expect(refusal(RepoRef, { ...repo, owner: bad })).toBe(
        "may contain only letters, digits, '-', '_' and '.'",
      );
    expect(ok(RepoRef, { ...repo, owner: "" })).toBe(false);
    expect(ok(RepoRef, { ...repo, name: s(100) })).toBe(true);
    expect(ok(RepoRef, { ...repo, name: s(101) })).toBe(false);
  });

  it("a new session leaves agent and model to the defaults and bounds its prompt, title, model and base branch", () => {
    expect(CreateSessionRequest.parse({ repo, prompt: "  fix  " })).toEqual({
      repo,
      prompt: "fix",
      allowForcePush: false,
    });
    expect(CreateSessionRequest.parse({ repo, prompt: "p", allowForcePush: true }).allowForcePush).toBe(true);
    expect(ok(CreateSessionRequest, { repo, prompt: "p", allowForcePush: "yes" })).toBe(false);
    expect(refusal(CreateSessionRequest, { repo, prompt: "   " })).toBe("must not be empty");
    expect(ok(CreateSessionRequest, { repo, prompt: s(100_000) })).toBe(true);
    expect(ok(CreateSessionRequest, { repo, prompt: s(100_001) })).toBe(false);
    expect(CreateSessionRequest.parse({ repo, prompt: "p", title: "  T  " }).title).toBe("T");
    expect(ok(CreateSessionRequest, { repo, prompt: "p", title: " " })).toBe(false);
    expect(ok(CreateSessionRequest, { repo, prompt: "p", title: s(200) })).toBe(true);
    expect(ok(CreateSessionRequest, { repo, prompt: "p", title: s(201) })).toBe(false);
    expect(ok(CreateSessionRequest, { repo, prompt: "p", model: "" })).toBe(false);
    expect(ok(CreateSessionRequest, { repo, prompt: "p", model: s(200) })).toBe(true);
    expect(ok(CreateSessionRequest, { repo, prompt: "p", model: s(201) })).toBe(false);
    expect(ok(CreateSessionRequest, { repo, prompt: "p", baseBranch: "" })).toBe(false);
    expect(ok(CreateSessionRequest, { repo, prompt: "p", baseBranch: s(250) })).toBe(true);
    expect(ok(CreateSessionRequest, { repo, prompt: "p", baseBranch: s(251) })).toBe(false);
    expect(ok(CreateSessionRequest, { repo, prompt: "p", agent: "cursor" })).toBe(false);
    expect(CreateSessionRequest.parse({ repo, prompt: "p", agent: "codex" }).agent).toBe("codex");
  });

  it("a model id reaches a CLI's argv: no leading '-', no spaces or control characters", () => {
    for (const good of ["claude-sonnet-4-5", "openai/gpt-5.5", "llama3:70b", "model@2025", "a+b_c"])
      expect(ok(CreateSessionRequest, { repo, prompt: "p", model: good }), good).toBe(true);
    for (const bad of ["--help", "-m", "gpt 5", "gpt\n5", "gpt\u00005", "$(id)"])
      expect(ok(CreateSessionRequest, { repo, prompt: "p", model: bad }), bad).toBe(false);
    expect(CreateSessionRequest.parse({ repo, prompt: "p", model: " gpt-5.5 " }).model).toBe("gpt-5.5");
  });

  it("a follow-up prompt is trimmed and not empty", () => {
    expect(SendPromptRequest.parse({ text: " more " })).toEqual({ text: "more" });
    expect(ok(SendPromptRequest, { text: "" })).toBe(false);
  });

  it("lists page 1 to 100 sessions (25 by default), events 1 to 1000 (500 by default) after a cursor >= 0", () => {
    expect(ListSessionsQuery.parse({})).toEqual({ limit: 25 });
    expect(ok(ListSessionsQuery, { limit: "0" })).toBe(false);
    expect(ok(ListSessionsQuery, { limit: "100" })).toBe(true);
    expect(ok(ListSessionsQuery, { limit: "101" })).toBe(false);
    expect(ok(ListSessionsQuery, { cursor: s(201) })).toBe(false);
    expect(ok(ListSessionsQuery, { cursor: "c" })).toBe(true);
    expect(EventsPageQuery.parse({})).toEqual({ after: 0, limit: 500 });
    expect(EventsPageQuery.parse({ after: "7", limit: "1000" })).toEqual({ after: 7, limit: 1000 });
    expect(ok(EventsPageQuery, { after: "-1" })).toBe(false);
    expect(ok(EventsPageQuery, { limit: "0" })).toBe(false);
    expect(ok(EventsPageQuery, { limit: "1001" })).toBe(false);
  });

  it("a stream names its watcher with 1 to 80 trimmed characters", () => {
    expect(StreamQuery.parse({})).toEqual({ after: 0 });
    expect(StreamQuery.parse({ after: "3", name: "  Ada " })).toEqual({ after: 3, name: "Ada" });
    expect(ok(StreamQuery, { after: "-1" })).toBe(false);
    expect(ok(StreamQuery, { name: "  " })).toBe(false);
    expect(ok(StreamQuery, { name: s(80) })).toBe(true);
    expect(ok(StreamQuery, { name: s(81) })).toBe(false);
  });
});

describe("tenant egress settings", () => {
  it("hosts are stored trimmed and lowercase, at most 100 of them", () => {
    expect(PutEgressSettingsRequest.parse({ allowHosts: [" Registry.NPMJS.org "] })).toEqual({
      allowHosts: ["registry.npmjs.org"],
    });
    const hosts = (n: number) => Array.from({ length: n }, (_, i) => `h${i}.example.com`);
    expect(ok(PutEgressSettingsRequest, { allowHosts: hosts(100) })).toBe(true);
    expect(refusal(PutEgressSettingsRequest, { allowHosts: hosts(101) })).toBe("at most 100 host patterns");
    expect(ok(PutEgressSettingsRequest, { allowHosts: [`${s(250)}.io`] })).toBe(false);
  });
});
