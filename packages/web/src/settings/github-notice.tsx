/**
 * The result of an installation round-trip: GitHub and the control plane send the browser back to
 * `/settings?github=connected` or `?github=error&message=...`. The message arrives in the URL, so
 * anyone can craft it: it is shown as plain text, shortened, and labelled as the reason given.
 */
import { useSearchParams } from "react-router";

const MESSAGE_MAX_CHARS = 300;

export function GithubResultNotice() {
  const [params, setParams] = useSearchParams();
  const result = params.get("github");
  if (result !== "connected" && result !== "error") return null;

  function dismiss() {
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        next.delete("github");
        next.delete("message");
        return next;
      },
      { replace: true },
    );
  }

  const dismissButton = (
    <button type="button" className="button button-ghost" onClick={dismiss}>
      Dismiss
    </button>
  );
  if (result === "connected") {
    return (
      <div className="card notice notice-ok" role="status">
        <p>
          <strong>GitHub connected.</strong> Its repositories are listed below and in the new-session picker.
        </p>
        {dismissButton}
      </div>
    );
  }
  const raw = params.get("message")?.trim() || "GitHub did not finish the installation.";
  const message = raw.length > MESSAGE_MAX_CHARS ? `${raw.slice(0, MESSAGE_MAX_CHARS)}…` : raw;
  return (
    <div className="card notice notice-error" role="alert">
      <p>
        <strong>GitHub could not be connected.</strong> Reason given: <span>{message}</span>
      </p>
      {dismissButton}
    </div>
  );
}
