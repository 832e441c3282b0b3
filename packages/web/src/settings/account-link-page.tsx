/**
 * Where an integration's one-time "connect your account" link lands (/settings/<slug>/link?tenant&token):
 * the signed-in member confirms, and their account there is linked to them in that tenant. Slack
 * and Linear differ only in their words and what linking answers.
 */
import { useMutation } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useLocation } from "react-router";
import { FormError } from "./form-fields";

export function AccountLinkPage<T>({
  name,
  slug,
  link,
  intro,
  incomplete,
  linked,
}: {
  /** "Slack", "Linear". */
  name: string;
  slug: string;
  link(tenantId: string, token: string): Promise<T>;
  /** Said before the member confirms. */
  intro: ReactNode;
  /** How to get a new link when this one lacks its parameters. */
  incomplete: string;
  /** Said once linked, from what linking answered. */
  linked(result: T): ReactNode;
}) {
  const params = new URLSearchParams(useLocation().search);
  const tenantId = params.get("tenant") ?? "";
  const token = params.get("token") ?? "";
  const mutation = useMutation({ mutationFn: () => link(tenantId, token) });
  if (!tenantId || !token)
    return (
      <p className="form-error" role="alert">
        {incomplete}
      </p>
    );
  return (
    <div className="card" data-testid={`${slug}-link`}>
      <h2>Connect your {name} account</h2>
      {mutation.isSuccess ? (
        <p role="status">{linked(mutation.data)}</p>
      ) : (
        <>
          <p>{intro}</p>
          <button
            type="button"
            className="button button-primary"
            onClick={() => mutation.mutate()}
            disabled={mutation.isPending}
          >
            {mutation.isPending ? "Connecting…" : `Connect my ${name} account`}
          </button>
        </>
      )}
      <FormError error={mutation.error} />
    </div>
  );
}
