/**
 * The Modal provider's settings from the Worker's vars and secrets, checked once: a missing or
 * malformed one fails fast, named, as a permanent error (the session says what to set).
 */
import type { Bindings } from "../../env";
import { SandboxProviderError } from "../provider";
import { providerApiUrl } from "../provider-url";
import type { ModalProviderConfig } from "./modal-provider";

export type ModalEnv = Pick<
  Bindings,
  "MODAL_APP_URL" | "MODAL_PROXY_TOKEN_ID" | "MODAL_PROXY_TOKEN_SECRET" | "NIGHTSHIFT_DEPLOYMENT"
>;

export function modalConfigFrom(env: ModalEnv): ModalProviderConfig {
  const missing = [
    ["MODAL_APP_URL", env.MODAL_APP_URL],
    ["MODAL_PROXY_TOKEN_ID", env.MODAL_PROXY_TOKEN_ID],
    ["MODAL_PROXY_TOKEN_SECRET", env.MODAL_PROXY_TOKEN_SECRET],
  ].filter(([, value]) => !value?.trim());
  if (missing.length > 0) {
    throw new SandboxProviderError(
      `the Modal sandbox provider needs ${missing.map(([name]) => name).join(", ")} (see docs/deploy-sandboxes.md)`,
      "permanent",
    );
  }
  const url = providerApiUrl(
    "MODAL_APP_URL",
    env.MODAL_APP_URL!.trim(),
    "https://<workspace>--nightshift-sandboxes.modal.run",
  );
  if (url.search || url.hash) {
    throw new SandboxProviderError(
      "MODAL_APP_URL must be the app's base URL, without a query or fragment",
      "permanent",
    );
  }
  const deployment = env.NIGHTSHIFT_DEPLOYMENT?.trim();
  // A label value the Modal app accepts (packages/modal-app/sandboxes/requests.py): refused here
  // once, rather than at every session's create.
  if (deployment && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(deployment)) {
    throw new SandboxProviderError(
      "NIGHTSHIFT_DEPLOYMENT must be 1-100 letters, digits, dots, dashes or underscores (e.g. prod-eu)",
      "permanent",
    );
  }
  return {
    appUrl: url.toString().replace(/\/+$/, ""),
    tokenId: env.MODAL_PROXY_TOKEN_ID!.trim(),
    tokenSecret: env.MODAL_PROXY_TOKEN_SECRET!.trim(),
    ...(deployment ? { deployment } : {}),
  };
}
