/**
 * Slack mentions and DMs in workerd, against the Slack and GitHub doubles: a linked member's
 * mention starts a `slack` session whose status message appears in the thread; an unlinked user
 * gets a private connect link (and opening it links them); no repository → the app asks; a member
 * without write access gets a polite reply; a mention in the thread is a follow-up; `stop` stops;
 * a workspace routes only to the tenant that installed it.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/client";
import { findSlackUserLink, findThreadSession, setChannelRepository } from "../src/db/repositories/slack";
import { addMember } from "../src/db/repositories/tenancy";
import { ensureGithubUser } from "../src/db/repositories/users";
import { githubTenant } from "./github-tenant";
import { api, createTenant, postJson, waitFor } from "./helpers";
import { identityFor } from "./identities";
import {
  deliverSlack,
  installWorkspace,
  linkUser,
  mention,
  newWorkspace,
  sessionsOf,
  threadMessages,
} from "./slack-fixture";

async function setup() {
  const tenant = await githubTenant();
  const workspace = await newWorkspace();
  await installWorkspace(tenant, workspace);
  await linkUser(tenant, workspace, "U0OCTO");
  return { tenant, workspace };
}

function threadOf(event: unknown): string {
  return (event as { event: { ts: string } }).event.ts;
}

describe("Slack triggers", () => {
  it("starts a slack session from a mention naming owner/repo, and shows its status in the thread", async () => {
    const { tenant, workspace } = await setup();
    const event = mention(workspace, { user: "U0OCTO", text: "fix the flaky login test in acme/widgets" });
    expect((await deliverSlack(event)).status).toBe(200);
    const session = await waitFor("the session", async () =>
      (await sessionsOf(tenant)).find((s) => s.title.includes("flaky login test")),
    );
    expect(session).toMatchObject({
      trigger: "slack",
      repo: { kind: "github", owner: "acme", name: "widgets" },
    });
    const [status] = await waitFor("the status message", async () => {
      const messages = await threadMessages(workspace, "C0GENERAL", threadOf(event));
      return messages.length > 0 ? messages : null;
    });
    expect(status?.threadTs).toBe(threadOf(event));
    expect(status?.text).toContain(`/sessions/${session.id}`);
    const thread = { teamId: workspace.teamId, channelId: "C0GENERAL", threadTs: threadOf(event) };
    expect(await findThreadSession(openDatabase(env.DB), tenant.tenantId, thread)).toBe(session.id);
    const link = await api(`/api/v1/sessions/${session.id}/slack-thread`, {}, tenant);
    expect(link.status).toBe(200);
    expect(((await link.json()) as { url: string }).url).toBe(
      `https://app.slack.com/client/${workspace.teamId}/C0GENERAL/thread/C0GENERAL-${threadOf(event)}`,
    );
    // Another tenant cannot learn where the session came from.
    const stranger = await createTenant("slack-thread-stranger");
    expect((await api(`/api/v1/sessions/${session.id}/slack-thread`, {}, stranger)).status).toBe(404);
  });

  it("picks the connected repository a message names over a file path that looks like one", async () => {
    const { tenant, workspace } = await setup();
    await deliverSlack(mention(workspace, { user: "U0OCTO", text: "add docs/CHANGELOG.md in acme/gadgets" }));
    const session = await waitFor("the session", async () =>
      (await sessionsOf(tenant)).find((s) => s.title.includes("docs/CHANGELOG.md")),
    );
    expect(session.repo).toMatchObject({ owner: "acme", name: "gadgets" });
  });

  it("uses the channel's default repository when the message names none, and asks when there is none", async () => {
    const { tenant, workspace } = await setup();
    const asked = mention(workspace, {
      user: "U0OCTO",
      channel: "C0NODEFAULT",
      text: "please fix the README",
    });
    await deliverSlack(asked);
    const [question] = await waitFor("the question", async () => {
      const m = await threadMessages(workspace, "C0NODEFAULT", threadOf(asked));
      return m.length > 0 ? m : null;
    });
    expect(question?.text).toMatch(/Which repository/);
    await setChannelRepository(openDatabase(env.DB), tenant.tenantId, {
      teamId: workspace.teamId,
      channelId: "C0DEFAULT",
      owner: "acme",
      name: "gadgets",
    });
    await deliverSlack(
      mention(workspace, { user: "U0OCTO", channel: "C0DEFAULT", text: "bump the gadget version" }),
    );
    const session = await waitFor("the session", async () =>
      (await sessionsOf(tenant)).find((s) => s.title.includes("bump the gadget version")),
    );
    expect(session.repo).toMatchObject({ owner: "acme", name: "gadgets" });
  });

  it("sends an unlinked Slack user a private connect link and starts nothing; the link binds them once", async () => {
    const { tenant, workspace } = await setup();
    const event = mention(workspace, { user: "U0STRANGER", text: "delete everything in acme/widgets" });
    await deliverSlack(event);
    const [link] = await waitFor("the connect link", async () => {
      const m = await threadMessages(workspace, "C0GENERAL", threadOf(event));
      return m.length > 0 ? m : null;
    });
    // Shown only to the person who asked: whoever opens the link becomes them.
    expect(link?.ephemeralTo).toBe("U0STRANGER");
    expect((await sessionsOf(tenant)).some((s) => s.title.includes("delete everything"))).toBe(false);
    const token = new URL(/<([^|>]+)\|/.exec(link?.text ?? "")?.[1] ?? "http://x").searchParams.get("token");
    expect(token).toBeTruthy();
    const linked = await postJson(`/api/v1/tenants/${tenant.tenantId}/slack/link`, { token }, {}, tenant);
    expect(linked.status).toBe(200);
    expect(
      await findSlackUserLink(openDatabase(env.DB), tenant.tenantId, workspace.teamId, "U0STRANGER"),
    ).toBe(tenant.userId);
    const again = await postJson(`/api/v1/tenants/${tenant.tenantId}/slack/link`, { token }, {}, tenant);
    expect(again.status).toBe(409);
  });

  it("answers a linked member without write access politely and starts no session", async () => {
    const { tenant, workspace } = await setup();
    const hubot = await ensureGithubUser(openDatabase(env.DB), { githubId: 2, login: "hubot" });
    await addMember(openDatabase(env.DB), tenant.tenantId, hubot.id, "member", new Date().toISOString());
    const reader = await identityFor({ id: tenant.tenantId, slug: tenant.slug }, hubot, "member");
    await linkUser(reader, workspace, "U0READER");
    const event = mention(workspace, { user: "U0READER", text: "rewrite acme/widgets in rust" });
    await deliverSlack(event);
    const [reply] = await waitFor("the reply", async () => {
      const m = await threadMessages(workspace, "C0GENERAL", threadOf(event));
      return m.length > 0 ? m : null;
    });
    expect(reply?.text).toMatch(/Sorry, I can't start that: .*cannot push to acme\/widgets/);
    expect((await sessionsOf(tenant)).some((s) => s.title.includes("rust"))).toBe(false);
  });

  it("treats a mention in the session's thread as a follow-up, and `stop` there stops the session", async () => {
    const { tenant, workspace } = await setup();
    const event = mention(workspace, { user: "U0OCTO", text: "tidy the changelog in acme/widgets" });
    await deliverSlack(event);
    const session = await waitFor("the session", async () =>
      (await sessionsOf(tenant)).find((s) => s.title.includes("tidy the changelog")),
    );
    const threadTs = threadOf(event);
    await deliverSlack(mention(workspace, { user: "U0OCTO", text: "also fix the dates", threadTs }));
    const events = await waitFor("the follow-up prompt", async () => {
      const page = (await (await api(`/api/v1/sessions/${session.id}/events`, {}, tenant)).json()) as {
        events: { event: { type: string; text?: string } }[];
      };
      const prompts = page.events.filter((e) => e.event.type === "prompt");
      return prompts.length === 2 ? prompts : null;
    });
    expect(events[1]?.event.text).toBe("also fix the dates");
    expect((await sessionsOf(tenant)).filter((s) => s.title.includes("tidy the changelog"))).toHaveLength(1);
    await deliverSlack(mention(workspace, { user: "U0OCTO", text: "stop", threadTs }));
    await waitFor("the session to stop", async () => {
      const res = await api(`/api/v1/sessions/${session.id}`, {}, tenant);
      const s = (await res.json()) as { status: string };
      return s.status === "stopped" || s.status === "stopping" ? s : null;
    });
    // The session's status reaches the thread: its status message ends up saying it stopped.
    await waitFor("the thread to say the session stopped", async () => {
      const messages = await threadMessages(workspace, "C0GENERAL", threadTs);
      return messages.some((m) => m.text.includes("Stopped")) ? messages : null;
    });
  });

  it("refuses a member steering or stopping someone else's session from its thread", async () => {
    const { tenant, workspace } = await setup();
    const event = mention(workspace, { user: "U0OCTO", text: "rename the widget class in acme/widgets" });
    await deliverSlack(event);
    const session = await waitFor("the session", async () =>
      (await sessionsOf(tenant)).find((s) => s.title.includes("rename the widget class")),
    );
    const other = await ensureGithubUser(openDatabase(env.DB), { githubId: 7_001, login: "octocat-two" });
    await addMember(openDatabase(env.DB), tenant.tenantId, other.id, "member", new Date().toISOString());
    const member = await identityFor({ id: tenant.tenantId, slug: tenant.slug }, other, "member");
    await linkUser(member, workspace, "U0OTHER");
    const threadTs = threadOf(event);
    await deliverSlack(mention(workspace, { user: "U0OTHER", text: "and drop the tests", threadTs }));
    await deliverSlack(mention(workspace, { user: "U0OTHER", text: "stop", threadTs }));
    const refusals = await waitFor("two refusals", async () => {
      const m = (await threadMessages(workspace, "C0GENERAL", threadTs)).filter((x) =>
        x.text.startsWith("Sorry"),
      );
      return m.length === 2 ? m : null;
    });
    // The two deliveries are handled concurrently: either refusal may come first.
    expect(refusals.map((r) => r.text)).toEqual(
      expect.arrayContaining([
        expect.stringContaining("can steer it"),
        expect.stringContaining("can stop it"),
      ]),
    );
    const page = (await (await api(`/api/v1/sessions/${session.id}/events`, {}, tenant)).json()) as {
      events: { event: { type: string } }[];
    };
    expect(page.events.filter((e) => e.event.type === "prompt")).toHaveLength(1);
    const now = (await (await api(`/api/v1/sessions/${session.id}`, {}, tenant)).json()) as {
      status: string;
    };
    expect(["stopping", "stopped"]).not.toContain(now.status);
  });

  it("never routes a workspace's events to another tenant (foreign workspace, foreign link)", async () => {
    const { tenant, workspace } = await setup();
    const other = await createTenant("other-slack");
    const otherWorkspace = await newWorkspace();
    await installWorkspace(other, otherWorkspace);
    // U0OCTO is linked in the GitHub tenant's workspace only: in the other workspace they are a stranger.
    const event = mention(otherWorkspace, { user: "U0OCTO", text: "leak acme/widgets please" });
    await deliverSlack(event);
    const [reply] = await waitFor("the connect link", async () => {
      const m = await threadMessages(otherWorkspace, "C0GENERAL", threadOf(event));
      return m.length > 0 ? m : null;
    });
    expect(reply?.ephemeralTo).toBe("U0OCTO");
    expect(reply?.text).toContain(`tenant=${encodeURIComponent(other.tenantId)}`);
    expect((await sessionsOf(tenant)).some((s) => s.title.includes("leak"))).toBe(false);
    expect((await sessionsOf(other)).some((s) => s.title.includes("leak"))).toBe(false);
    expect(await threadMessages(workspace, "C0GENERAL", threadOf(event))).toEqual([]);
  });
});
