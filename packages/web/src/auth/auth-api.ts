/**
 * Who is signed in, and in which tenants. `GET /api/v1/me` is the source of truth; a 401 anywhere
 * means "show the sign-in page". Until the Worker serves /me (it answers 404 then), local mode
 * runs as its single local owner, which is what the Worker itself does.
 *
 */
import { MeResponse, type Role, type TenantWithRole } from "@nightshift/protocol";
import { ApiError, apiRequest } from "../api/http-client";

export { ROLES, Role } from "@nightshift/protocol";

export type TenantMembership = TenantWithRole;

/** The signed-in caller; `local` is true when the Worker runs with no sign-in at all (see fetchMe). */
export type Me = MeResponse & { local?: boolean };

export const meKey = ["me"] as const;

/** What local mode looks like before the Worker has /api/v1/me. */
export const LOCAL_FALLBACK: Me = {
  user: { id: "local", login: "local", name: "Local User", email: "", avatarUrl: null },
  tenants: [
    { id: "local", slug: "local", name: "Local", role: "owner", createdAt: new Date(0).toISOString() },
  ],
  via: "session",
  apiKey: null,
  local: true,
};

export async function fetchMe(signal?: AbortSignal): Promise<Me> {
  try {
    return await apiRequest("/api/v1/me", MeResponse, signal ? { signal } : {});
  } catch (err) {
    if (err instanceof ApiError && err.isNotFound) return LOCAL_FALLBACK;
    throw err;
  }
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
