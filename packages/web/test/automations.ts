/** Automations as the Worker sends them, built with the protocol's schemas, for component tests. */
import { Automation, AutomationRun } from "@nightshift/protocol";
import type { Me } from "../src/auth/auth-api";
import { ADMIN_ME } from "./render";

export const AUTOMATION_ID = "01jd00000000000000000auto01";

export function automation(over: Partial<Automation> = {}): Automation {
  return Automation.parse({
    id: AUTOMATION_ID,
    tenantId: "t1",
    name: "Fix CI failures",
    enabled: true,
    trigger: { kind: "webhook" },
    repo: { mode: "fixed", repo: { kind: "github", owner: "acme", name: "api" } },
    promptTemplate: "Fix {{payload.check}} on {{payload.branch}}",
    limits: { maxRunsPerHour: 60, maxConcurrent: 3 },
    actingUserId: "u1",
    consecutiveFailures: 0,
    createdAt: "2026-12-01T10:00:00.000Z",
    updatedAt: "2026-12-01T10:00:00.000Z",
    ...over,
  });
}

export function run(n: number, over: Partial<AutomationRun> = {}): AutomationRun {
  return AutomationRun.parse({
    id: `run-${n}`,
    automationId: AUTOMATION_ID,
    at: "2026-12-04T12:00:00.000Z",
    triggerId: `msg_${n}`,
    outcome: "started",
    sessionId: `01jd000000000000000000ses${n}`,
    sessionStatus: "running",
    ...over,
  });
}

/** The same person as ADMIN_ME, but only a member of the tenant. */
export const MEMBER_ME: Me = {
  ...ADMIN_ME,
  tenants: ADMIN_ME.tenants.map((t) => (t.id === "t1" ? { ...t, role: "member" as const } : t)),
};

/** What the form needs besides automations: the repositories and agents the tenant has. */
export const REPOS = {
  repositories: [
    { repo: { kind: "github", owner: "acme", name: "api" }, label: "acme/api", defaultBranch: "main" },
    { repo: { kind: "local", path: "demo-repo" }, label: "demo-repo", defaultBranch: "main" },
  ],
};
