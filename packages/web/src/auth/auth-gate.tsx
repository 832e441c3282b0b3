/** Renders the app for a signed-in user, the sign-in page on 401, and clear states otherwise. */
import type { ReactNode } from "react";
import { ApiError } from "../api/http-client";
import { ErrorState, Loading } from "../ui/states";
import { AuthProvider, useMeQuery } from "./auth-context";
import { SignInPage } from "./sign-in-page";

export function AuthGate({ children }: { children: ReactNode }) {
  const me = useMeQuery();
  if (me.isPending) return <Loading label="Checking who you are…" />;
  if (me.isError) {
    if (me.error instanceof ApiError && me.error.isUnauthorized) return <SignInPage />;
    return <ErrorState error={me.error} onRetry={() => void me.refetch()} />;
  }
  if (me.data.tenants.length === 0) {
    return (
      <SignInPage reason="You are signed in but belong to no tenant yet. Ask an admin to invite you, or sign in with another account." />
    );
  }
  return <AuthProvider me={me.data}>{children}</AuthProvider>;
}
