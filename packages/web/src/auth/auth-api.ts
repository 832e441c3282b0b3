/**
 * Who is signed in, and in which tenants. `GET /api/v1/me` is the source of truth; a 401 anywhere
 * means "show the sign-in page". Until the Worker serves /me (it answers 404 then), local mode
 * runs as its single local owner, which is what the Worker itself does.
 *
 * The schemas are lenient on purpose: they take what the dashboard shows and ignore the rest,
 * so the page keeps working while the tenancy API grows.
 */
import { z } from "zod";
import { ApiError, apiRequest } from "../api/http-client";

export const ROLES = ["owner", "admin", "member"] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

const TenantMembership = z.object({
  id: z.string(),
  name: z.string(),
  slug: z.string().optional(),
  role: Role,
});
export type TenantMembership = z.infer<typeof TenantMembership>;

export const Me = z.object({
  user: z.object({
    id: z.string(),
    name: z.string(),
    login: z.string().nullish(),
    avatarUrl: z.string().nullish(),
  }),
  tenants: z.array(TenantMembership),
  mode: z.enum(["local", "cloud"]).optional(),
});
export type Me = z.infer<typeof Me>;

export const meKey = ["me"] as const;

/** What local mode looks like before the Worker has /api/v1/me. */
export const LOCAL_FALLBACK: Me = {
  user: { id: "local", name: "Local User" },
  tenants: [{ id: "local", name: "Local", role: "owner" }],
  mode: "local",
};

export async function fetchMe(signal?: AbortSignal): Promise<Me> {
  try {
    return await apiRequest("/api/v1/me", Me, signal ? { signal } : {});
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
