/**
 * The signing secret right after create or rotate: shown here once, with a copy button, the
 * inbound URL and what to paste where. It lives only in this page's memory; leaving the page or
 * pressing Done forgets it, and the server never returns it again.
 */
import type { AutomationTriggerKind } from "@nightshift/protocol";
import { useState } from "react";
import { inboundUrl } from "./automations-api";
import { curlHint, presetSetup } from "./delivery-hints";

function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      // No clipboard permission (an http origin, a locked-down browser): the text is selectable.
      setState("failed");
    }
  }
  return (
    <button type="button" className="button" onClick={() => void copy()} aria-label={label}>
      {state === "copied" ? "Copied" : state === "failed" ? "Select and copy by hand" : "Copy"}
    </button>
  );
}

export function SecretOnce({
  automationId,
  kind,
  secret,
  rotated,
  onDone,
}: {
  automationId: string;
  kind: AutomationTriggerKind;
  secret: string;
  rotated: boolean;
  onDone(): void;
}) {
  const url = inboundUrl(automationId);
  const setup = presetSetup(kind);
  return (
    <div className="card callout secret-callout" role="status" data-testid="automation-secret">
      <p>
        <strong>Copy this signing secret now.</strong> It will not be shown again.
        {rotated ? " The previous secret keeps working for 24 hours." : null}
      </p>
      <code className="secret-once" data-testid="secret-value">
        {secret}
      </code>
      <div className="form-actions">
        <CopyButton text={secret} label="Copy the signing secret" />
      </div>
      <p className="small">Deliveries go to</p>
      <code className="secret-once" data-testid="inbound-url">
        {url}
      </code>
      <div className="form-actions">
        <CopyButton text={url} label="Copy the inbound URL" />
      </div>
      {setup ? (
        <p className="small">{setup}</p>
      ) : (
        <>
          <p className="small">Try it from a shell (bash, openssl, curl):</p>
          <pre className="curl-hint" data-testid="curl-hint">
            {curlHint(url, secret)}
          </pre>
          <div className="form-actions">
            <CopyButton text={curlHint(url, secret)} label="Copy the curl command" />
          </div>
        </>
      )}
      <div className="form-actions">
        <button type="button" className="button button-primary" onClick={onDone}>
          Done, I saved it
        </button>
      </div>
    </div>
  );
}
