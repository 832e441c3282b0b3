/** The tenant's sandbox provider settings (members read them, owners and admins replace them). */
import { type SandboxSettings, SandboxSettingsView } from "@nightshift/protocol";
import { apiRequest, tenantPath } from "../api/http-client";

export const sandboxKeys = { settings: ["settings", "sandbox"] as const };

export const getSandboxSettings = () => apiRequest(tenantPath("/settings/sandbox"), SandboxSettingsView);

export const putSandboxSettings = (settings: SandboxSettings) =>
  apiRequest(tenantPath("/settings/sandbox"), SandboxSettingsView, { method: "PUT", body: settings });
