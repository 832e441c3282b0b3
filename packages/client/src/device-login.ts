/**
 * `nightshift login` by browser (RFC 8628): start a device sign-in, then poll for its API key.
 * Polling answers arrive as ApiError with the RFC's codes (`authorization_pending`, `slow_down`,
 * `access_denied`, `expired_token`); the caller decides how long to wait between polls.
 */
import {
  DeviceAuthorization,
  DeviceTokenRequest,
  DeviceTokenResponse,
  StartDeviceAuthRequest,
} from "@nightshift/protocol";
import { checked, send, type Transport } from "./http.ts";

export function deviceLoginCalls(transport: Transport) {
  return {
    start: async (clientName?: string, signal?: AbortSignal): Promise<DeviceAuthorization> =>
      send(transport, {
        method: "POST",
        path: "/auth/device",
        body: checked(
          StartDeviceAuthRequest,
          clientName === undefined ? {} : { client_name: clientName.slice(0, 100) },
          "device sign-in",
        ),
        response: DeviceAuthorization,
        signal,
      }),
    poll: async (deviceCode: string, signal?: AbortSignal): Promise<DeviceTokenResponse> =>
      send(transport, {
        method: "POST",
        path: "/auth/device/token",
        body: checked(DeviceTokenRequest, { device_code: deviceCode }, "device code"),
        response: DeviceTokenResponse,
        signal,
      }),
  };
}
