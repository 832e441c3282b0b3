/** A link from a Linear-started session back to the issue it was delegated from. */
import { useQuery } from "@tanstack/react-query";
import { z } from "zod";
import { apiRequest, tenantPath } from "../api/http-client";
import { webUrl } from "../ui/web-url";

const LinearIssue = z.object({ identifier: z.string().nullable(), url: z.string().nullable() });

export function LinearIssueLink({ sessionId }: { sessionId: string }) {
  const issue = useQuery({
    queryKey: ["sessions", sessionId, "linear-issue"],
    queryFn: () =>
      apiRequest(tenantPath(`/sessions/${encodeURIComponent(sessionId)}/linear-issue`), LinearIssue),
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
  if (!issue.data) return null;
  const label = issue.data.identifier ? `Linear issue ${issue.data.identifier}` : "Linear issue";
  const url = webUrl(issue.data.url);
  return (
    <>
      {" · "}
      {url ? (
        <a href={url} target="_blank" rel="noopener noreferrer" data-testid="linear-issue-link">
          {label}
        </a>
      ) : (
        <span data-testid="linear-issue-link">{label}</span>
      )}
    </>
  );
}
