/**
 * The Daytona provider's settings from the Worker's vars and secrets, checked once: a missing or
 * malformed one fails fast, named, as a permanent error (the session says what to set).
 */
import type { Bindings } from "../../env";
import { SandboxProviderError } from "../provider";
import { providerApiUrl } from "../provider-url";
import type { DaytonaProviderConfig } from "./daytona-provider";

export const DEFAULT_DAYTONA_API_URL = "https://app.daytona.io/api";

export type DaytonaEnv = Pick<
  Bindings,
  "DAYTONA_API_URL" | "DAYTONA_API_KEY" | "DAYTONA_SNAPSHOT" | "DAYTONA_TARGET" | "NIGHTSHIFT_DEPLOYMENT"
>;

export function daytonaConfigFrom(env: DaytonaEnv): DaytonaProviderConfig {
  const missing = [
    ["DAYTONA_API_KEY", env.DAYTONA_API_KEY],
    ["DAYTONA_SNAPSHOT", env.DAYTONA_SNAPSHOT],
  ].filter(([, value]) => !value?.trim());
  if (missing.length > 0) {
    throw new SandboxProviderError(
      `the Daytona sandbox provider needs ${missing.map(([name]) => name).join(" and ")} (see docs/deploy-sandboxes.md)`,
      "permanent",
    );
  }
  const apiUrl = env.DAYTONA_API_URL?.trim() || DEFAULT_DAYTONA_API_URL;
  const url = providerApiUrl("DAYTONA_API_URL", apiUrl, DEFAULT_DAYTONA_API_URL);
  const target = env.DAYTONA_TARGET?.trim();
  const deployment = env.NIGHTSHIFT_DEPLOYMENT?.trim();
  return {
    apiUrl: url.toString().replace(/\/+$/, ""),
    apiKey: env.DAYTONA_API_KEY!.trim(),
    snapshot: env.DAYTONA_SNAPSHOT!.trim(),
    ...(target ? { target } : {}),
    ...(deployment ? { deployment } : {}),
  };
}
