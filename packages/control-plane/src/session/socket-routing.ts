/**
 * The DO's fetch: the Worker forwards only WebSocket upgrades here, with internal headers saying
 * whose session it asked for and which socket it is. A sandbox goes to the bridge, anyone else to
 * the client hub; a tenant that does not own the session sees one that does not exist.
 */
import { errorStatus, StreamQuery, TERMINAL_STATUSES } from "@nightshift/protocol";
import { forwardedName } from "../http/forward-headers";
import { presentedToken, type SandboxBridge } from "./bridge";
import type { ClientHub } from "./hub";
import {
  INTERNAL_INCARNATION_HEADER,
  INTERNAL_PARTICIPANT_HEADER,
  INTERNAL_PARTICIPANT_NAME_HEADER,
  INTERNAL_SOCKET_HEADER,
  INTERNAL_TENANT_HEADER,
} from "./internal-headers";
import type { SessionMeta } from "./store";

export interface SocketEnds {
  bridge: Pick<SandboxBridge, "connect">;
  hub: Pick<ClientHub, "connect">;
}

export function routeSocket(request: Request, meta: SessionMeta | null, ends: SocketEnds): Response {
  if (!meta || request.headers.get(INTERNAL_TENANT_HEADER) !== meta.tenantId) {
    return Response.json(
      { error: { code: "session_not_found", message: "session not found" } },
      { status: errorStatus("session_not_found") },
    );
  }
  if (request.headers.get(INTERNAL_SOCKET_HEADER) === "sandbox") {
    const open = !TERMINAL_STATUSES.has(meta.status);
    return ends.bridge.connect(
      request.headers.get(INTERNAL_INCARNATION_HEADER) ?? "",
      open,
      presentedToken(request.headers),
    );
  }
  const query = StreamQuery.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  const after = query.success ? query.data.after : 0;
  const participantId = request.headers.get(INTERNAL_PARTICIPANT_HEADER) ?? "anonymous";
  // Presence shows who is signed in, never a name the client picked in the query string.
  const name = forwardedName(request.headers.get(INTERNAL_PARTICIPANT_NAME_HEADER)) ?? participantId;
  return ends.hub.connect({ id: participantId, name }, after);
}
