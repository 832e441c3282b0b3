/**
 * Who is signed in, and in which tenants. `GET /api/v1/me` is the source of truth; a 401 anywhere
 * means "show the sign-in page".
 *
 */
import { MeResponse, type Role, type TenantWithRole } from "@nightshift/protocol";
import { apiRequest } from "../api/http-client";

export { ROLES, Role } from "@nightshift/protocol";

export type TenantMembership = TenantWithRole;

export type Me = MeResponse;

export const meKey = ["me"] as const;

export function fetchMe(signal?: AbortSignal): Promise<Me> {
  return apiRequest("/api/v1/me", MeResponse, signal ? { signal } : {});
}

export function devLogin(name: string): Promise<void> {
  return apiRequest("/auth/dev-login", null, { method: "POST", body: { name } });
}

export function logout(): Promise<void> {
  return apiRequest("/auth/logout", null, { method: "POST" });
}

/** Where the GitHub sign-in starts; the Worker sends the user back to `redirect` afterwards. */
export function githubLoginUrl(redirect: string): string {
  const safe = redirect.startsWith("/") && !redirect.startsWith("//") ? redirect : "/";
  return `/auth/github/login?redirect=${encodeURIComponent(safe)}`;
}

/** The dev login exists only when the Worker runs on this machine. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || hostname === "::1" || /^127\./.test(hostname);
}

export function isAdmin(role: Role | undefined): boolean {
  return role === "owner" || role === "admin";
}
