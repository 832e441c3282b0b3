/**
 * The Slack router on Slack's documented deliveries (test/fixtures/slack-events, copied from the
 * docs) and the signature on Slack's own test vector: what each asks for, and malformed bodies
 * named by their field.
 */
import { describe, expect, it } from "vitest";
import appMention from "../../../test/fixtures/slack-events/app_mention.json";
import urlVerification from "../../../test/fixtures/slack-events/url_verification.json";
import { MalformedSlackEvent, parseSlackEvent } from "./events";
import { verifySlackSignature } from "./signature";
import { isStopCommand, repositoryCandidates, repositoryIn, withoutMentions } from "./text";

const withEvent = (event: Record<string, unknown>) => ({
  ...appMention,
  event: { ...appMention.event, ...event },
});

describe("parseSlackEvent on real deliveries", () => {
  it("reads the url_verification handshake", () => {
    expect(parseSlackEvent(urlVerification)).toEqual({
      kind: "url_verification",
      challenge: urlVerification.challenge,
    });
  });

  it("reads Slack's app_mention example as a start in a new thread rooted at the message", () => {
    expect(parseSlackEvent(appMention)).toEqual({
      kind: "start",
      eventId: "Ev123ABC456",
      actor: { account: "T123ABC456", userId: "U061F7AUR" },
      origin: {
        teamId: "T123ABC456",
        channelId: "C123ABC456",
        threadTs: "1515449522.000016",
        messageTs: "1515449522.000016",
        direct: false,
      },
      text: "is it everything a river should be?",
    });
  });

  it("reads a mention inside a thread as a follow-up, and `stop` there as a stop", () => {
    expect(parseSlackEvent(withEvent({ thread_ts: "1515449000.000001" }))).toMatchObject({
      kind: "follow-up",
      origin: { threadTs: "1515449000.000001", messageTs: "1515449522.000016" },
    });
    expect(
      parseSlackEvent(withEvent({ thread_ts: "1515449000.000001", text: "<@U0LAN0Z89> stop" })),
    ).toMatchObject({
      kind: "stop",
    });
  });

  it("reads a DM to the app, and ignores the app's own messages, edits and channel chatter", () => {
    expect(
      parseSlackEvent(withEvent({ type: "message", channel_type: "im", text: "fix acme/web" })),
    ).toMatchObject({
      kind: "start",
      origin: { direct: true },
      text: "fix acme/web",
    });
    expect(parseSlackEvent(withEvent({ type: "message", channel_type: "im", bot_id: "B1" })).kind).toBe(
      "ignore",
    );
    expect(
      parseSlackEvent(withEvent({ type: "message", channel_type: "im", subtype: "message_changed" })).kind,
    ).toBe("ignore");
    expect(parseSlackEvent(withEvent({ type: "message", channel_type: "channel" })).kind).toBe("ignore");
    expect(parseSlackEvent(withEvent({ type: "reaction_added" })).kind).toBe("ignore");
  });

  it("reads tokens_revoked and app_uninstalled as an unlink of the workspace", () => {
    expect(parseSlackEvent(withEvent({ type: "tokens_revoked" }))).toMatchObject({
      kind: "unlink",
      account: "T123ABC456",
    });
    expect(parseSlackEvent(withEvent({ type: "app_uninstalled" }))).toMatchObject({ kind: "unlink" });
  });

  it("names the field of a malformed event", () => {
    const { channel: _, ...noChannel } = appMention.event;
    expect(() => parseSlackEvent({ ...appMention, event: noChannel })).toThrow(/^event\.channel/);
    expect(() => parseSlackEvent({ ...appMention, team_id: 7 })).toThrow(/^team_id/);
    expect(() => parseSlackEvent(withEvent({ ts: "yesterday" }))).toThrow(MalformedSlackEvent);
    expect(() => parseSlackEvent([])).toThrow(MalformedSlackEvent);
  });
});

describe("the message text", () => {
  it("finds the repository as owner/repo or a GitHub link, and nothing in plain prose", () => {
    expect(repositoryIn("fix the flaky login test in acme/web")).toMatchObject({
      owner: "acme",
      name: "web",
    });
    expect(repositoryIn("see <https://github.com/acme/web/issues/4|the issue>")).toMatchObject({
      owner: "acme",
      name: "web",
    });
    expect(repositoryIn("look at https://github.com/acme/web.git please")).toMatchObject({ name: "web" });
    expect(repositoryIn("it fails 1 in 3 runs and/or hangs")).toMatchObject({ owner: "and", name: "or" });
    expect(repositoryIn("make the login test less flaky")).toBeNull();
    // A file path looks like owner/repo: every candidate is offered, in order, for the caller to check.
    expect(
      repositoryCandidates("add docs/CHANGELOG.md in octo/widgets").map((c) => `${c.owner}/${c.name}`),
    ).toEqual(["docs/CHANGELOG.md", "octo/widgets"]);
    expect(withoutMentions("<@U0LAN0Z89>   hello <@U1|bob>")).toBe("hello");
    expect(isStopCommand("stop")).toBe(true);
    expect(isStopCommand("Stop please!")).toBe(true);
    expect(isStopCommand("stop the flaky test from failing")).toBe(false);
  });
});

describe("verifySlackSignature", () => {
  // Slack's documented example (docs "Verifying requests from Slack", as in python-slack-sdk's test).
  const secret = "8f742231b10e8888abcd99yyyzzz85a5";
  const body = new TextEncoder().encode(
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
  );
  const headers = {
    timestamp: "1531420618",
    signature: "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
  };
  const at = 1531420618 * 1000;

  it("accepts Slack's test vector, with the current or the previous secret", async () => {
    expect(await verifySlackSignature([secret], headers, body, at)).toBe("valid");
    expect(await verifySlackSignature(["new-secret", secret], headers, body, at)).toBe("valid");
  });

  it("refuses a changed body, a wrong secret, a missing header and a timestamp past five minutes", async () => {
    const changed = new Uint8Array(body);
    changed[0] = 0x54;
    expect(await verifySlackSignature([secret], headers, changed, at)).toBe("invalid");
    expect(await verifySlackSignature(["other"], headers, body, at)).toBe("invalid");
    expect(await verifySlackSignature([secret], { ...headers, signature: undefined }, body, at)).toBe(
      "invalid",
    );
    expect(await verifySlackSignature([secret], headers, body, at + 5 * 60_000)).toBe("valid");
    expect(await verifySlackSignature([secret], headers, body, at + 5 * 60_000 + 1_000)).toBe("stale");
    expect(await verifySlackSignature([secret], headers, body, at - 6 * 60_000)).toBe("stale");
  });
});
