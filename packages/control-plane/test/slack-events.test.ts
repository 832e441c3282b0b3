/**
 * POST /webhooks/slack/events in workerd: the v0 signature (bad, stale, the previous secret during
 * a rotation), the url_verification handshake on Slack's documented body, replays and retries
 * answered 200 without acting twice, an unknown workspace answered 200 with nothing started, and
 * a malformed event refused 400 naming the field.
 */
import { describe, expect, it } from "vitest";
import urlVerification from "./fixtures/slack-events/url_verification.json";
import { githubTenant } from "./github-tenant";
import { waitFor } from "./helpers";
import {
  deliverSlack,
  installWorkspace,
  linkUser,
  mention,
  newWorkspace,
  PREVIOUS_SIGNING_SECRET,
  sessionsOf,
  slackMessages,
  threadMessages,
} from "./slack-fixture";

const now = () => Math.floor(Date.now() / 1000);

describe("Slack event ingress", () => {
  it("answers Slack's url_verification handshake with the challenge", async () => {
    const res = await deliverSlack(urlVerification);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: urlVerification.challenge });
  });

  it("refuses a forged signature with 401 and acts on nothing", async () => {
    const res = await deliverSlack(urlVerification, { signature: `v0=${"0".repeat(64)}` });
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain(urlVerification.challenge);
    const wrongSecret = await deliverSlack(urlVerification, { secret: "not-the-signing-secret" });
    expect(wrongSecret.status).toBe(401);
  });

  it("refuses a replay of a correctly signed delivery older than five minutes (stale timestamp)", async () => {
    const res = await deliverSlack(urlVerification, { timestamp: now() - 6 * 60 });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/five minutes/);
  });

  it("accepts the previous signing secret while a rotation is under way", async () => {
    const res = await deliverSlack(urlVerification, { secret: PREVIOUS_SIGNING_SECRET });
    expect(res.status).toBe(200);
  });

  it("answers 400 naming the field of a malformed event", async () => {
    const workspace = await newWorkspace();
    const payload = mention(workspace, { user: "U0OCTO", text: "fix it in acme/widgets" }) as {
      event: Record<string, unknown>;
    };
    delete payload.event.channel;
    const res = await deliverSlack(payload);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain("event.channel");
    const noEventId = await deliverSlack({ type: "event_callback", team_id: workspace.teamId, event: {} });
    expect(noEventId.status).toBe(400);
    expect(((await noEventId.json()) as { error: { message: string } }).error.message).toContain("event_id");
  });

  it("answers an unknown workspace 200 and starts nothing", async () => {
    const workspace = await newWorkspace(); // in Slack's double, but installed for no tenant
    const tenant = await githubTenant();
    const before = (await sessionsOf(tenant)).length;
    const res = await deliverSlack(mention(workspace, { user: "U0OCTO", text: "fix acme/widgets" }));
    expect(res.status).toBe(200);
    // Give the after-ack work time to (not) act, bounded by a condition: the double's messages stay empty.
    await new Promise((r) => setTimeout(r, 300));
    expect((await slackMessages()).filter((m) => m.teamId === workspace.teamId)).toEqual([]);
    expect((await sessionsOf(tenant)).length).toBe(before);
  });

  it("runs a replayed event and a retry (x-slack-retry-num) once: one session, one status message", async () => {
    const tenant = await githubTenant();
    const workspace = await newWorkspace();
    await installWorkspace(tenant, workspace);
    await linkUser(tenant, workspace, "U0OCTO");
    const event = mention(workspace, { user: "U0OCTO", text: "fix the replayed typo in acme/widgets" }) as {
      event: { ts: string };
    };
    const first = await deliverSlack(event);
    expect(first.status).toBe(200);
    const retry = await deliverSlack(event, { retryNum: 1 });
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ duplicate: true });
    const replay = await deliverSlack(event);
    expect(await replay.json()).toMatchObject({ duplicate: true });
    await waitFor("the status message", async () =>
      (await threadMessages(workspace, "C0GENERAL", event.event.ts)).length > 0 ? true : null,
    );
    const sessions = (await sessionsOf(tenant)).filter((s) => s.title.includes("replayed typo"));
    expect(sessions).toHaveLength(1);
    expect((await threadMessages(workspace, "C0GENERAL", event.event.ts)).length).toBe(1);
  });
});
