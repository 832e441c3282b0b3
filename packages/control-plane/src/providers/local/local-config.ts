/**
 * The local provider's settings from the Worker's vars: the sandbox host's URL and shared secret,
 * both required (make dev sets them). A missing one fails fast, named, as a permanent error.
 */
import type { Bindings } from "../../env";
import { SandboxProviderError } from "../provider";
import type { LocalProviderConfig } from "./local-provider";

export function localConfigFrom(
  env: Pick<Bindings, "SANDBOX_HOST_URL" | "SANDBOX_HOST_SECRET">,
): LocalProviderConfig {
  const hostUrl = env.SANDBOX_HOST_URL;
  const secret = env.SANDBOX_HOST_SECRET;
  if (!hostUrl?.trim() || !secret?.trim()) {
    const missing = [
      ["SANDBOX_HOST_URL", hostUrl],
      ["SANDBOX_HOST_SECRET", secret],
    ].filter(([, v]) => !v?.trim());
    throw new SandboxProviderError(
      `the local sandbox provider needs ${missing.map(([k]) => k).join(" and ")}; make dev sets them`,
      "permanent",
    );
  }
  return { hostUrl, secret };
}
