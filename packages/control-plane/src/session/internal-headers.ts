/**
 * Headers the Worker sets on requests it forwards to a SessionAgent (WebSocket upgrades only).
 * The DO is not reachable from outside, so only the Worker can set them.
 */
export const INTERNAL_TENANT_HEADER = "x-nightshift-tenant";
export const INTERNAL_PARTICIPANT_HEADER = "x-nightshift-participant";
export const INTERNAL_INCARNATION_HEADER = "x-nightshift-incarnation";
export const INTERNAL_SOCKET_HEADER = "x-nightshift-socket";
