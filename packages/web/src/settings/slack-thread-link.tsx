/** A link from a Slack-started session back to the thread it was asked in. */
import { useQuery } from "@tanstack/react-query";
import { z } from "zod";
import { apiRequest, tenantPath } from "../api/http-client";
import { webUrl } from "../ui/web-url";

const SlackThread = z.object({ url: z.string() });

export function SlackThreadLink({ sessionId }: { sessionId: string }) {
  const thread = useQuery({
    queryKey: ["sessions", sessionId, "slack-thread"],
    queryFn: () =>
      apiRequest(tenantPath(`/sessions/${encodeURIComponent(sessionId)}/slack-thread`), SlackThread),
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
  const url = webUrl(thread.data?.url ?? null);
  if (!url) return null;
  return (
    <>
      {" · "}
      <a href={url} target="_blank" rel="noopener noreferrer" data-testid="slack-thread-link">
        Slack thread
      </a>
    </>
  );
}
