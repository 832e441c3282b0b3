/** The Linear router on real deliveries (test/fixtures/linear-webhooks): what each one asks for. */
import { describe, expect, it } from "vitest";
import created from "../../../test/fixtures/linear-webhooks/agent-session-event.created.json";
import prompted from "../../../test/fixtures/linear-webhooks/agent-session-event.prompted.json";
import assignment from "../../../test/fixtures/linear-webhooks/issue.update.assignee.json";
import stateChange from "../../../test/fixtures/linear-webhooks/issue.update.state.json";
import { MalformedLinearEvent, parseLinearEvent } from "./events";
import { repositoryIn } from "./text";

const ORG = "77df41e4-76cd-4310-9d25-b59481c02a74";
const withOrg = <T extends object>(body: T) => ({ ...body, organizationId: ORG, webhookTimestamp: 1 });

describe("parseLinearEvent on real deliveries", () => {
  it("reads an agent session created by a mention as a start on the issue, by its creator", () => {
    const intent = parseLinearEvent(created);
    expect(intent.kind).toBe("start");
    if (intent.kind !== "start") return;
    expect(intent.actor).toEqual({ account: ORG, userId: "dc7f24a6-f24e-47dc-b865-e1b9e9afd69a" });
    expect(intent.origin).toMatchObject({
      organizationId: ORG,
      agentSessionId: "c710e27a-7833-40d9-8cad-62f58cb35bf2",
      issueId: "28b8ecd1-008e-4aa3-8f5c-6cc6f4de3a18",
      issueIdentifier: "GENT-774",
      teamId: "84b3f91a-133a-4b09-872d-8c0d430713a1",
      requester: { email: "ian@iansinnott.com" },
      viaComment: true,
    });
    expect(intent.text).toContain("GENT-774: a test issue");
    expect(intent.text).toContain("@claude ping");
  });

  it("reads a prompted activity as a follow-up on the agent session", () => {
    const intent = parseLinearEvent(prompted);
    expect(intent.kind).toBe("follow-up");
    if (intent.kind !== "follow-up") return;
    expect(intent.text).toBe("thanks!");
    expect(intent.origin.agentSessionId).toBe("c710e27a-7833-40d9-8cad-62f58cb35bf2");
    expect(intent.origin.requester.email).toBe("ian@iansinnott.com");
  });

  it("reads a prompted activity with the stop signal as a stop", () => {
    const stop = { ...prompted, agentActivity: { ...prompted.agentActivity, signal: "stop" } };
    expect(parseLinearEvent(stop).kind).toBe("stop");
  });

  it("reads an issue assigned to someone as an assignment start naming the assignee", () => {
    const intent = parseLinearEvent(withOrg(assignment));
    expect(intent.kind).toBe("start");
    if (intent.kind !== "start") return;
    expect(intent.origin.assigneeId).toBe("80e102b0-xxxx-xxxx-xxxx-044bcfb4cd39");
    expect(intent.origin.agentSessionId).toBeNull();
    expect(intent.origin.viaComment).toBe(false);
  });

  it("ignores an issue update that changes no assignee", () => {
    expect(parseLinearEvent(withOrg(stateChange)).kind).toBe("ignore");
  });

  it("reads the OAuth app revoked as unlinking the organization", () => {
    const revoked = { type: "OAuthApp", action: "revoked", organizationId: ORG, webhookTimestamp: 1 };
    expect(parseLinearEvent(revoked)).toMatchObject({ kind: "unlink", account: ORG });
  });

  it("names the missing field of a malformed delivery", () => {
    const { agentSession: _dropped, ...noSession } = created;
    expect(() => parseLinearEvent(noSession)).toThrow(
      new MalformedLinearEvent("agentSession: Invalid input: expected object, received undefined"),
    );
    const { webhookTimestamp: _t, ...noTimestamp } = created;
    expect(() => parseLinearEvent(noTimestamp)).toThrow(/^webhookTimestamp: /);
  });
});

describe("repositoryIn", () => {
  it("finds a GitHub URL or an owner/repo word, and nothing in a plain path", () => {
    expect(repositoryIn("fix it in https://github.com/acme/web/pull/3")).toEqual({
      owner: "acme",
      name: "web",
    });
    expect(repositoryIn("the flaky test in acme/web.")).toEqual({ owner: "acme", name: "web" });
    expect(repositoryIn("see src/a/b.ts")).toBeNull();
    expect(repositoryIn("no repository here")).toBeNull();
  });
});
