/**
 * Where the app's one-time "connect your account" link from Linear's agent panel lands
 * (/settings/linear/link?tenant&token): the signed-in member confirms, their Linear account is
 * linked to them in that tenant, and the delegation that asked starts as them.
 */
import { useMutation } from "@tanstack/react-query";
import { useLocation } from "react-router";
import { describeError } from "../api/http-client";
import { linkLinearAccount } from "./linear-api";

export function LinearLinkPage() {
  const params = new URLSearchParams(useLocation().search);
  const tenantId = params.get("tenant") ?? "";
  const token = params.get("token") ?? "";
  const link = useMutation({ mutationFn: () => linkLinearAccount(tenantId, token) });
  if (!tenantId || !token)
    return (
      <p className="form-error" role="alert">
        This link is incomplete; delegate the issue to Nightshift again for a new one.
      </p>
    );
  return (
    <div className="card" data-testid="linear-link">
      <h2>Connect your Linear account</h2>
      {link.isSuccess ? (
        <p role="status">
          Your Linear account is connected.{" "}
          {link.data.resumed
            ? "The issue you delegated is starting now: follow it in Linear's agent panel."
            : "Delegate an issue to Nightshift in Linear to start a session."}
        </p>
      ) : (
        <>
          <p>
            Sessions you start from Linear will run as you, with your access to repositories. Only continue if
            you asked Nightshift for this link in Linear yourself.
          </p>
          <button
            type="button"
            className="button button-primary"
            onClick={() => link.mutate()}
            disabled={link.isPending}
          >
            {link.isPending ? "Connecting…" : "Connect my Linear account"}
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
