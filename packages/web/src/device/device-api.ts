/** The approval side of `nightshift login`: look up a code, approve it for a tenant, or deny it. */
import { type ApproveDeviceRequest, DeviceDecision, PendingDeviceAuthorization } from "@nightshift/protocol";
import type { z } from "zod";
import { apiRequest, tenantPath } from "../api/http-client";

const path = (tenantId: string, code: string, verb = "") =>
  tenantPath(`/device-authorizations/${encodeURIComponent(code)}${verb}`, tenantId);

export function lookupDeviceCode(tenantId: string, code: string): Promise<PendingDeviceAuthorization> {
  return apiRequest(path(tenantId, code), PendingDeviceAuthorization);
}

export function approveDeviceCode(
  tenantId: string,
  code: string,
  body: z.input<typeof ApproveDeviceRequest>,
): Promise<DeviceDecision> {
  return apiRequest(path(tenantId, code, "/approve"), DeviceDecision, { method: "POST", body });
}

export function denyDeviceCode(tenantId: string, code: string): Promise<DeviceDecision> {
  return apiRequest(path(tenantId, code, "/deny"), DeviceDecision, { method: "POST" });
}
