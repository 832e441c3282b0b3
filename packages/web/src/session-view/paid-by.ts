/**
 * Which model account paid for a session's gateway calls, as words for the session header. Read
 * from GET /sessions/:id/usage, again every little while as the session runs and once when it ends.
 */
import { SessionModelUsage } from "@nightshift/protocol";
import { useQuery } from "@tanstack/react-query";
import { apiRequest, tenantPath } from "../api/http-client";
import { paidByText } from "../ui/model-account-labels";

const REFRESH_WHILE_RUNNING_MS = 15_000;

export const getSessionUsage = (id: string, signal?: AbortSignal) =>
  apiRequest(
    tenantPath(`/sessions/${encodeURIComponent(id)}/usage`),
    SessionModelUsage,
    signal ? { signal } : {},
  );

export function usePaidBy(sessionId: string, viewerCreatedIt: boolean, ended: boolean): string | null {
  const usage = useQuery({
    queryKey: ["sessions", "usage", sessionId, ended] as const,
    queryFn: ({ signal }) => getSessionUsage(sessionId, signal),
    enabled: sessionId !== "",
    refetchInterval: ended ? false : REFRESH_WHILE_RUNNING_MS,
  });
  return usage.data?.paidBy ? paidByText(usage.data.paidBy, viewerCreatedIt) : null;
}
