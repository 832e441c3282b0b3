/**
 * Which sandbox providers this deployment can run, read from the Worker's vars and secrets: a
 * provider is available when its settings are complete and well formed (the same checks its
 * factory makes), so a tenant can only choose a provider a session could actually start on.
 */
import { SANDBOX_PROVIDER_NAMES, type SandboxProviderName } from "@nightshift/protocol";
import type { Bindings } from "../env";
import { type DaytonaEnv, daytonaConfigFrom } from "./daytona/daytona-config";
import { localConfigFrom } from "./local/local-config";
import { type ModalEnv, modalConfigFrom } from "./modal/modal-config";

export type ProviderEnv = Pick<Bindings, "SANDBOX_PROVIDER" | "SANDBOX_HOST_URL" | "SANDBOX_HOST_SECRET"> &
  DaytonaEnv &
  ModalEnv;

/** SANDBOX_PROVIDER, or "local" when unset: what a session uses where its tenant chose nothing. */
export function deploymentDefaultProvider(env: Pick<Bindings, "SANDBOX_PROVIDER">): string {
  return env.SANDBOX_PROVIDER?.trim() || "local";
}

function configured(read: () => unknown): boolean {
  try {
    read();
    return true;
  } catch {
    return false;
  }
}

const READY: Record<SandboxProviderName, (env: ProviderEnv) => boolean> = {
  local: (env) => configured(() => localConfigFrom(env)),
  daytona: (env) => configured(() => daytonaConfigFrom(env)),
  modal: (env) => configured(() => modalConfigFrom(env)),
};

/** The providers this deployment has the settings for, in Nightshift's order. */
export function availableProviders(env: ProviderEnv): SandboxProviderName[] {
  return SANDBOX_PROVIDER_NAMES.filter((name) => READY[name](env));
}
