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

/** A GitHub-style login from a display name ("Ada Lovelace" → "ada-lovelace"), so each name is its own user. */
export function loginFromName(name: string): string {
  const login = name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "") // accents come apart under NFKD; drop the marks, keep the letters
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 39)
    .replace(/-+$/, "");
  return login || "dev";
}

/**
 * The dev login: with no name, the local tenant's owner; with a name, a developer of that name
 * (a member of the local tenant), so several people can be tried out on one machine.
 */
export function devLogin(name: string): Promise<void> {
  const trimmed = name.trim();
  const body = trimmed ? { login: loginFromName(trimmed), name: trimmed } : {};
  return apiRequest("/auth/dev-login", null, { method: "POST", body });
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
