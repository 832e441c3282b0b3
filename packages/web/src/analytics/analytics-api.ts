/** The tenant's analytics report and the address of its CSV export. */
import { type AnalyticsGroup, AnalyticsReport } from "@nightshift/protocol";
import { apiRequest, tenantPath } from "../api/http-client";

export interface AnalyticsParams {
  from: string;
  to: string;
  groupBy: AnalyticsGroup;
}

const search = (p: AnalyticsParams) =>
  new URLSearchParams({ from: p.from, to: p.to, groupBy: p.groupBy }).toString();

export const analyticsKeys = {
  report: (p: AnalyticsParams) => ["analytics", p.from, p.to, p.groupBy] as const,
};

export const getAnalytics = (p: AnalyticsParams, signal?: AbortSignal) =>
  apiRequest(tenantPath(`/analytics?${search(p)}`), AnalyticsReport, signal ? { signal } : {});

/** A plain link: the browser downloads it with the session cookie, as any same-origin GET. */
export const analyticsCsvUrl = (p: AnalyticsParams) => tenantPath(`/analytics.csv?${search(p)}`);
