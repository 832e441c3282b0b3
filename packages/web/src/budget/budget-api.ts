/** The tenant's budget: its status this month (members) and its caps (owners and admins). */
import { BudgetSettings, TenantBudgetStatus } from "@nightshift/protocol";
import { apiRequest, tenantPath } from "../api/http-client";

export const budgetKeys = {
  status: ["budget", "status"] as const,
  settings: ["settings", "budget"] as const,
};

export const getBudgetStatus = () => apiRequest(tenantPath("/budget"), TenantBudgetStatus);

export const getBudgetSettings = () => apiRequest(tenantPath("/settings/budget"), BudgetSettings);

export const putBudgetSettings = (settings: BudgetSettings) =>
  apiRequest(tenantPath("/settings/budget"), BudgetSettings, { method: "PUT", body: settings });
