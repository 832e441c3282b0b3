/**
 * Where the app's one-time "connect your account" link lands (/settings/slack/link?tenant&token):
 * the signed-in member confirms, and their Slack account is linked to them in that tenant.
 */
import { useMutation } from "@tanstack/react-query";
import { useLocation } from "react-router";
import { describeError } from "../api/http-client";
import { linkSlackAccount } from "./slack-api";

export function SlackLinkPage() {
  const params = new URLSearchParams(useLocation().search);
  const tenantId = params.get("tenant") ?? "";
  const token = params.get("token") ?? "";
  const link = useMutation({ mutationFn: () => linkSlackAccount(tenantId, token) });
  if (!tenantId || !token)
    return (
      <p className="form-error" role="alert">
        This link is incomplete; mention the app in Slack again for a new one.
      </p>
    );
  return (
    <div className="card" data-testid="slack-link">
      <h2>Connect your Slack account</h2>
      {link.isSuccess ? (
        <p role="status">Your Slack account is connected. Go back to Slack and mention the app again.</p>
      ) : (
        <>
          <p>Sessions you start from Slack will run as you, with your access to repositories.</p>
          <button
            type="button"
            className="button button-primary"
            onClick={() => link.mutate()}
            disabled={link.isPending}
          >
            {link.isPending ? "Connecting…" : "Connect my Slack account"}
          </button>
        </>
      )}
      {link.isError ? (
        <p className="form-error" role="alert">
          {describeError(link.error)}
        </p>
      ) : null}
    </div>
  );
}
