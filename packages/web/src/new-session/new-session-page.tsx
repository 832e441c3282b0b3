/**
 * New session: repository, agent and model, prompt, start. The agent picker offers what this
 * deployment runs, the tenant's default preselected; the model field suggests the agent's offered
 * models and takes any other id. The request is validated with the protocol's own schema before it
 * is sent, and the server's answer is shown beside the form.
 */
import { type AgentName, CreateSessionRequest, PROMPT_MAX_CHARS, type RepoRef } from "@nightshift/protocol";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useId, useState } from "react";
import { Link, useNavigate } from "react-router";
import { describeError } from "../api/http-client";
import { createSession, sessionKeys } from "../api/sessions";
import { isLoopbackHost } from "../auth/auth-api";
import { RetryAfterNote, useRetryAfter } from "../ui/retry-after";
import { ErrorState, Loading } from "../ui/states";
import { AgentModelFields } from "./agent-model-fields";
import { agentsKey, fetchAgents } from "./agents-api";
import { RepoSelect } from "./repo-select";
import { fetchRepos, parseRepoInput, repoKey, reposKey } from "./repos-api";
import { type LimitsDraft, limitsOf, NO_LIMITS, SessionLimitsFields } from "./session-limits-fields";

export default function NewSessionPage() {
  const local = isLoopbackHost(window.location.hostname);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const repos = useQuery({
    queryKey: reposKey,
    queryFn: ({ signal }) => fetchRepos(signal),
    staleTime: 60_000,
  });
  const agents = useQuery({
    queryKey: agentsKey,
    queryFn: ({ signal }) => fetchAgents(signal),
    staleTime: 60_000,
  });
  const ids = {
    repo: useId(),
    prompt: useId(),
    title: useId(),
  };

  const [repoChoice, setRepoChoice] = useState("");
  const [manualKind, setManualKind] = useState<RepoRef["kind"]>(local ? "local" : "github");
  const [manualRepo, setManualRepo] = useState("");
  // null until the person picks one: the tenant's default (from the server) is what shows.
  const [pickedAgent, setPickedAgent] = useState<AgentName | null>(null);
  const [model, setModel] = useState("");
  const [title, setTitle] = useState("");
  const [prompt, setPrompt] = useState("");
  const [limits, setLimits] = useState<LimitsDraft>(NO_LIMITS);
  const [formError, setFormError] = useState<string | null>(null);

  const start = useMutation({
    mutationFn: createSession,
    onSuccess: (session) => {
      void queryClient.invalidateQueries({ queryKey: sessionKeys.all });
      navigate(`/sessions/${session.id}`);
    },
  });
  const retryIn = useRetryAfter(start.error);
  const agent = pickedAgent ?? agents.data?.defaultAgent ?? null;

  function chosenRepo(): { ok: true; repo: RepoRef } | { ok: false; message: string } {
    if (repos.data?.available) {
      const entry = repos.data.repos.find((r) => repoKey(r.repo) === repoChoice);
      return entry ? { ok: true, repo: entry.repo } : { ok: false, message: "Choose a repository." };
    }
    return parseRepoInput(manualKind, manualRepo);
  }

  function submit(e?: FormEvent) {
    e?.preventDefault();
    if (start.isPending || retryIn > 0) return;
    const repo = chosenRepo();
    if (!repo.ok) {
      setFormError(repo.message);
      return;
    }
    const body = CreateSessionRequest.safeParse({
      repo: repo.repo,
      ...(agent ? { agent } : {}),
      prompt,
      ...(model.trim() ? { model: model.trim() } : {}),
      ...(title.trim() ? { title: title.trim() } : {}),
      ...(limitsOf(limits) ? { limits: limitsOf(limits) } : {}),
    });
    if (!body.success) {
      const issue = body.error.issues[0];
      setFormError(`${issue?.path.join(".") || "form"}: ${issue?.message ?? "is not valid"}`);
      return;
    }
    setFormError(null);
    start.mutate(body.data);
  }

  function onPromptKey(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) submit();
  }

  if (repos.isPending) return <Loading label="Loading repositories…" />;
  if (repos.isError) return <ErrorState error={repos.error} onRetry={() => void repos.refetch()} />;
  if (agents.isPending) return <Loading label="Loading agents…" />;
  if (agents.isError) return <ErrorState error={agents.error} onRetry={() => void agents.refetch()} />;

  return (
    <section aria-labelledby="new-title" className="narrow-page">
      <h1 id="new-title">New session</h1>
      <form className="card form" onSubmit={submit} noValidate>
        {repos.data.available ? (
          <div className="field">
            <label htmlFor={ids.repo}>Repository</label>
            {repos.data.repos.length === 0 ? (
              <p className="muted">
                No repositories yet.{" "}
                {local
                  ? "Add a git repository under the local root, or connect GitHub in "
                  : "Connect GitHub in "}
                <Link to="/settings/github">Settings</Link>.
              </p>
            ) : (
              <RepoSelect
                id={ids.repo}
                repos={repos.data.repos}
                value={repoChoice}
                onChange={setRepoChoice}
              />
            )}
          </div>
        ) : (
          <fieldset className="field">
            <legend>Repository</legend>
            <div className="segmented" role="radiogroup" aria-label="Repository kind">
              {(["local", "github"] as const).map((k) => (
                <label key={k}>
                  <input
                    type="radio"
                    name="repo-kind"
                    value={k}
                    checked={manualKind === k}
                    onChange={() => setManualKind(k)}
                  />
                  {k === "local" ? "Local path" : "GitHub"}
                </label>
              ))}
            </div>
            <label htmlFor={ids.repo} className="visually-hidden">
              Repository {manualKind === "local" ? "path" : "owner/name"}
            </label>
            <input
              id={ids.repo}
              value={manualRepo}
              onChange={(e) => setManualRepo(e.target.value)}
              placeholder={manualKind === "local" ? "demo-repo" : "owner/name"}
              autoComplete="off"
              spellCheck={false}
            />
          </fieldset>
        )}
        <AgentModelFields
          agents={agents.data}
          agent={pickedAgent}
          onAgentChange={(next) => setPickedAgent(next)}
          model={model}
          onModelChange={setModel}
        />
        <div className="field">
          <label htmlFor={ids.title}>Title (optional)</label>
          <input id={ids.title} value={title} onChange={(e) => setTitle(e.target.value)} maxLength={200} />
        </div>
        <div className="field">
          <label htmlFor={ids.prompt}>Prompt</label>
          <textarea
            id={ids.prompt}
            value={prompt}
            onChange={(e) => setPrompt(e.target.value)}
            onKeyDown={onPromptKey}
            rows={8}
            maxLength={PROMPT_MAX_CHARS}
            placeholder="What should the agent do?"
            required
          />
          <span className="muted small">Ctrl+Enter to start</span>
        </div>
        <SessionLimitsFields value={limits} onChange={setLimits} />
        {formError || start.isError ? (
          <p className="form-error" role="alert">
            {formError ?? describeError(start.error)}
          </p>
        ) : null}
        <div className="form-actions">
          <RetryAfterNote seconds={retryIn} />
          <button type="submit" className="button button-primary" disabled={start.isPending || retryIn > 0}>
            {start.isPending ? "Starting…" : "Start session"}
          </button>
        </div>
      </form>
    </section>
  );
}
