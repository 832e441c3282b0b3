/** Slack's "connect your account" link lands here (/settings/slack/link?tenant&token). */
import { AccountLinkPage } from "./account-link-page";
import { linkSlackAccount } from "./slack-api";

export function SlackLinkPage() {
  return (
    <AccountLinkPage
      name="Slack"
      slug="slack"
      link={linkSlackAccount}
      intro="Sessions you start from Slack will run as you, with your access to repositories."
      incomplete="This link is incomplete; mention the app in Slack again for a new one."
      linked={() => "Your Slack account is connected. Go back to Slack and mention the app again."}
    />
  );
}
