/**
 * The Automations section: the list, a new automation, one automation, and its edit form, each a
 * route so it can be linked to. Admins manage (create, edit, pause, run, rotate, delete); other
 * members read, as the API lets them.
 */
import type { AutomationInput } from "@nightshift/protocol";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, Route, Routes, useNavigate, useParams } from "react-router";
import { ApiError } from "../api/http-client";
import { isAdmin, isLoopbackHost } from "../auth/auth-api";
import { useAuth } from "../auth/auth-context";
import { EmptyState, ErrorState, Loading } from "../ui/states";
import { AutomationDetail } from "./automation-detail";
import { AutomationForm } from "./automation-form";
import { AutomationList } from "./automation-list";
import { automationKeys, createAutomation, getAutomation, updateAutomation } from "./automations-api";
import { draftFromAutomation, emptyDraft, patchFromInput } from "./form-state";
import { OneTimeSecretProvider, useOneTimeSecret } from "./one-time-secret";
import "./automations.css";

function NewAutomation() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const secrets = useOneTimeSecret();
  const create = useMutation({
    mutationFn: (input: AutomationInput) => createAutomation(input),
    onSuccess: ({ automation, secret }) => {
      queryClient.setQueryData(automationKeys.detail(automation.id), automation);
      void queryClient.invalidateQueries({ queryKey: automationKeys.list });
      if (secret) secrets.hold({ automationId: automation.id, secret, rotated: false });
      navigate(`/automations/${automation.id}`);
    },
  });
  return (
    <section aria-labelledby="new-automation-title" className="narrow-page">
      <h1 id="new-automation-title">New automation</h1>
      <AutomationForm
        initial={emptyDraft(isLoopbackHost(window.location.hostname))}
        editing={false}
        saving={create.isPending}
        saveError={create.error}
        onSave={(input) => create.mutate(input)}
        onCancel={() => navigate("/automations")}
      />
    </section>
  );
}

function EditAutomation() {
  const { id = "" } = useParams();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const current = useQuery({
    queryKey: automationKeys.detail(id),
    queryFn: ({ signal }) => getAutomation(id, signal),
    // The form starts from what it loads once; a background refresh must not reset typing.
    refetchOnWindowFocus: false,
  });
  const save = useMutation({
    mutationFn: (input: AutomationInput) => updateAutomation(id, patchFromInput(input)),
    onSuccess: (saved) => {
      queryClient.setQueryData(automationKeys.detail(id), saved);
      void queryClient.invalidateQueries({ queryKey: automationKeys.list });
      navigate(`/automations/${id}`);
    },
  });
  if (current.isPending) return <Loading label="Loading the automation…" />;
  if (current.isError) {
    if (current.error instanceof ApiError && current.error.isNotFound) {
      return <EmptyState title="This automation does not exist" />;
    }
    return <ErrorState error={current.error} onRetry={() => void current.refetch()} />;
  }
  return (
    <section aria-labelledby="edit-automation-title" className="narrow-page">
      <p className="small">
        <Link to={`/automations/${id}`}>← {current.data.name}</Link>
      </p>
      <h1 id="edit-automation-title">Edit {current.data.name}</h1>
      <AutomationForm
        initial={draftFromAutomation(current.data)}
        editing
        saving={save.isPending}
        saveError={save.error}
        onSave={(input) => save.mutate(input)}
        onCancel={() => navigate(`/automations/${id}`)}
      />
    </section>
  );
}

function AdminsOnly() {
  return (
    <EmptyState title="Automations are managed by admins">
      <p>
        Ask an owner or admin for changes. <Link to="/automations">Back to Automations</Link>.
      </p>
    </EmptyState>
  );
}

export default function AutomationsPage() {
  const { tenant } = useAuth();
  const admin = isAdmin(tenant.role);
  return (
    <OneTimeSecretProvider>
      <Routes>
        <Route index element={<AutomationList admin={admin} />} />
        <Route path="new" element={admin ? <NewAutomation /> : <AdminsOnly />} />
        <Route path=":id" element={<AutomationDetail admin={admin} />} />
        <Route path=":id/edit" element={admin ? <EditAutomation /> : <AdminsOnly />} />
      </Routes>
    </OneTimeSecretProvider>
  );
}
