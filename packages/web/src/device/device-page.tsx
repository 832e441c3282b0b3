/**
 * /device: where `nightshift login` sends the browser. The signed-in user checks the code against
 * the terminal, picks the tenant and the key's role (never above their own), and approves or
 * denies. The terminal then receives its own API key, or hears that it was denied.
 */
import { ROLES, type Role } from "@nightshift/protocol";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { useSearchParams } from "react-router";
import { describeError } from "../api/http-client";
import { useAuth } from "../auth/auth-context";
import { approveDeviceCode, denyDeviceCode, lookupDeviceCode } from "./device-api";

function rolesUpTo(own: Role): Role[] {
  return ROLES.slice(0, ROLES.indexOf(own) + 1);
}

export default function DevicePage() {
  const { me, tenant } = useAuth();
  const [params] = useSearchParams();
  const [code, setCode] = useState(params.get("code") ?? "");
  const [tenantId, setTenantId] = useState(tenant.id);
  const chosen = me.tenants.find((t) => t.id === tenantId) ?? tenant;
  const [role, setRole] = useState<Role>(chosen.role);
  const ids = { code: useId(), tenant: useId(), role: useId() };

  const lookup = useMutation({ mutationFn: () => lookupDeviceCode(chosen.id, code.trim()) });
  const approve = useMutation({
    mutationFn: () => approveDeviceCode(chosen.id, code.trim(), { role }),
  });
  const deny = useMutation({ mutationFn: () => denyDeviceCode(chosen.id, code.trim()) });
  const decided = approve.data ?? deny.data;
  const failure = lookup.error ?? approve.error ?? deny.error;

  function check(e: FormEvent) {
    e.preventDefault();
    if (code.trim()) lookup.mutate();
  }

  function pickTenant(id: string) {
    setTenantId(id);
    const next = me.tenants.find((t) => t.id === id);
    if (next) setRole(next.role);
  }

  if (decided) {
    return (
      <section className="device-page" aria-labelledby="device-title">
        <h1 id="device-title">Sign in a terminal</h1>
        <div className="card callout" role="status">
          {decided.status === "approved" ? (
            <p>
              <strong>Approved.</strong> The terminal now has its own API key in {chosen.name} ({decided.role}
              ). You can close this tab; revoke the key any time in Settings → API keys.
            </p>
          ) : (
            <p>
              <strong>Denied.</strong> The terminal was told and got no key.
            </p>
          )}
        </div>
      </section>
    );
  }

  const pending = lookup.data;
  return (
    <section className="device-page" aria-labelledby="device-title">
      <h1 id="device-title">Sign in a terminal</h1>
      {!pending ? (
        <form className="form card" onSubmit={check}>
          <p>Enter the code that `nightshift login` shows in your terminal.</p>
          <div className="field">
            <label htmlFor={ids.code}>Code</label>
            <input
              id={ids.code}
              value={code}
              maxLength={12}
              autoComplete="off"
              spellCheck={false}
              onChange={(e) => setCode(e.target.value)}
              placeholder="WDJB-MJHT"
            />
          </div>
          <button type="submit" className="button button-primary" disabled={lookup.isPending || !code.trim()}>
            Continue
          </button>
        </form>
      ) : (
        <div className="form card">
          <p>
            <strong>{pending.clientName}</strong> asked to sign in as you,{" "}
            {new Date(pending.createdAt).toLocaleString()}.
          </p>
          <p>
            Check that your terminal shows <code className="device-code">{pending.userCode}</code>. Only
            approve a sign-in you started yourself: the terminal gets an API key that acts as you.
          </p>
          <div className="field">
            <label htmlFor={ids.tenant}>Tenant</label>
            <select id={ids.tenant} value={chosen.id} onChange={(e) => pickTenant(e.target.value)}>
              {me.tenants.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name} ({t.role})
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={ids.role}>Key role</label>
            <select id={ids.role} value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {rolesUpTo(chosen.role).map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </div>
          <p className="muted small">The key expires in 90 days.</p>
          <div className="form-actions">
            <button
              type="button"
              className="button button-primary"
              disabled={approve.isPending || deny.isPending}
              onClick={() => approve.mutate()}
            >
              Approve
            </button>
            <button
              type="button"
              className="button button-ghost"
              disabled={approve.isPending || deny.isPending}
              onClick={() => deny.mutate()}
            >
              Deny
            </button>
          </div>
        </div>
      )}
      {failure ? (
        <p className="form-error" role="alert">
          {describeError(failure)}
        </p>
      ) : null}
    </section>
  );
}
