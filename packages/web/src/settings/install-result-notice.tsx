/**
 * The outcome of an integration's install round trip: the provider sends the browser back to
 * /settings?<slug>=connected, or ?<slug>=error&message=… (routes/install-callback.ts).
 */
import { useLocation } from "react-router";

export function InstallResultNotice({ slug, providerName }: { slug: string; providerName: string }) {
  const params = new URLSearchParams(useLocation().search);
  const outcome = params.get(slug);
  if (outcome === "connected")
    return (
      <p className="notice" role="status">
        {providerName} is connected.
      </p>
    );
  if (outcome === "error")
    return (
      <p className="form-error" role="alert">
        {providerName} was not connected: {params.get("message") ?? "unknown error"}
      </p>
    );
  return null;
}
