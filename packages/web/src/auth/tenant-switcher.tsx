/** Chooses the tenant the dashboard acts in; hidden when the user has only one. */
import { useId } from "react";
import { useAuth } from "./auth-context";

export function TenantSwitcher() {
  const { me, tenant, switchTenant } = useAuth();
  const id = useId();
  if (me.tenants.length < 2) return <span className="tenant-name">{tenant.name}</span>;
  return (
    <span className="tenant-switcher">
      <label htmlFor={id} className="visually-hidden">
        Tenant
      </label>
      <select id={id} value={tenant.id} onChange={(e) => switchTenant(e.target.value)}>
        {me.tenants.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name} ({t.role})
          </option>
        ))}
      </select>
    </span>
  );
}
