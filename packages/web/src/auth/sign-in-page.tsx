/** The sign-in page: GitHub everywhere, plus the dev login when the Worker runs on this machine. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { describeError } from "../api/http-client";
import { devLogin, githubLoginUrl, isLoopbackHost, meKey } from "./auth-api";

export function SignInPage({ reason }: { reason?: string }) {
  const queryClient = useQueryClient();
  const nameId = useId();
  const [name, setName] = useState("");
  const local = isLoopbackHost(window.location.hostname);
  const redirect = `${window.location.pathname}${window.location.search}`;
  const login = useMutation({
    mutationFn: () => devLogin(name),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: meKey }),
  });

  function onDevLogin(e: FormEvent) {
    e.preventDefault();
    login.mutate();
  }

  return (
    <main className="sign-in" id="main">
      <div className="card sign-in-card">
        <h1>Sign in to Nightshift</h1>
        {reason ? <p className="muted">{reason}</p> : null}
        <a className="button button-primary button-wide" href={githubLoginUrl(redirect)}>
          Sign in with GitHub
        </a>
        {local ? (
          <form className="dev-login" onSubmit={onDevLogin}>
            <p className="muted">
              Local mode: sign in on this machine. Leave the name empty to be the local owner, or type a name
              to join as another developer.
            </p>
            <label htmlFor={nameId}>Display name</label>
            <input
              id={nameId}
              value={name}
              maxLength={80}
              placeholder="Local User (owner)"
              onChange={(e) => setName(e.target.value)}
            />
            <button type="submit" className="button" disabled={login.isPending}>
              {login.isPending ? "Signing in…" : "Dev login"}
            </button>
            {login.isError ? (
              <p className="form-error" role="alert">
                {describeError(login.error)}
              </p>
            ) : null}
          </form>
        ) : null}
      </div>
    </main>
  );
}
