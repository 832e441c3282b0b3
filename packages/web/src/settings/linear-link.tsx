/**
 * Linear's "connect your account" link, from its agent panel, lands here
 * (/settings/linear/link?tenant&token); once linked, the delegation that asked starts as the member.
 */
import { AccountLinkPage } from "./account-link-page";
import { linkLinearAccount } from "./linear-api";

export function LinearLinkPage() {
  return (
    <AccountLinkPage
      name="Linear"
      slug="linear"
      link={linkLinearAccount}
      intro="Sessions you start from Linear will run as you, with your access to repositories. Only continue if you asked Nightshift for this link in Linear yourself."
      incomplete="This link is incomplete; delegate the issue to Nightshift again for a new one."
      linked={(result) =>
        `Your Linear account is connected. ${
          result.resumed
            ? "The issue you delegated is starting now: follow it in Linear's agent panel."
            : "Delegate an issue to Nightshift in Linear to start a session."
        }`
      }
    />
  );
}
