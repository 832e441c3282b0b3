/**
 * Provides the signed-in user and the active tenant to every page. Any query failing with 401
 * invalidates /me, which flips the app to the sign-in page; the chosen tenant is remembered.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from "react";
import { setActiveTenant } from "../api/http-client";
import { fetchMe, type Me, meKey, type TenantMembership } from "./auth-api";

const TENANT_STORAGE_KEY = "nightshift.tenant";

interface AuthValue {
  me: Me;
  tenant: TenantMembership;
  switchTenant(tenantId: string): void;
}

const AuthContext = createContext<AuthValue | null>(null);

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth must be used inside <AuthProvider>");
  return value;
}

function storedTenant(): string | null {
  try {
    return localStorage.getItem(TENANT_STORAGE_KEY);
  } catch {
    return null;
  }
}

export function pickTenant(me: Me, preferred: string | null): TenantMembership | null {
  return me.tenants.find((t) => t.id === preferred) ?? me.tenants[0] ?? null;
}

export function useMeQuery() {
  return useQuery({ queryKey: meKey, queryFn: ({ signal }) => fetchMe(signal), staleTime: 60_000 });
}

export function AuthProvider({ me, children }: { me: Me; children: ReactNode }) {
  const queryClient = useQueryClient();
  const [preferred, setPreferred] = useState<string | null>(storedTenant);
  const tenant = pickTenant(me, preferred);
  if (tenant) setActiveTenant(tenant.id);

  const switchTenant = useCallback(
    (tenantId: string) => {
      try {
        localStorage.setItem(TENANT_STORAGE_KEY, tenantId);
      } catch {
        // Private mode: the choice lasts for this page only.
      }
      setActiveTenant(tenantId);
      setPreferred(tenantId);
      // Everything cached belongs to the previous tenant.
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== meKey[0] });
    },
    [queryClient],
  );

  const value = useMemo(() => (tenant ? { me, tenant, switchTenant } : null), [me, tenant, switchTenant]);
  if (!value) return null;
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
