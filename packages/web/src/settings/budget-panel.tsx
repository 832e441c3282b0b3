/**
 * Budget (owners and admins): the tenant's monthly budget with its soft warning, and the caps every
 * session gets unless it is started with its own. An empty field means no cap. The month's spend
 * is shown above the form so a budget is set knowing where the month stands.
 */
import { BudgetSettings, DEFAULT_MONTHLY_WARN_PERCENT } from "@nightshift/protocol";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { budgetKeys, getBudgetSettings, getBudgetStatus, putBudgetSettings } from "../budget/budget-api";
import { ErrorState, Loading } from "../ui/states";
import { Field, FormError } from "./form-fields";

type FieldName = keyof BudgetSettings;

interface FieldSpec {
  name: FieldName;
  label: string;
  hint: string;
  step: string;
}

const FIELDS: FieldSpec[] = [
  {
    name: "monthlyUsd",
    label: "Monthly budget (USD)",
    hint: "At this month-to-date spend new sessions are refused (402) and model calls stop.",
    step: "any",
  },
  {
    name: "monthlyWarnPercent",
    label: "Warn at (% of the monthly budget)",
    hint: `A banner warns everyone from here on (default ${DEFAULT_MONTHLY_WARN_PERCENT}%).`,
    step: "1",
  },
  {
    name: "sessionUsd",
    label: "Per-session model spend (USD)",
    hint: "A session's model calls are refused once it has spent this much.",
    step: "any",
  },
  {
    name: "sessionMaxTurns",
    label: "Per-session max turns",
    hint: "Prompts a session may run; the next is refused. A session can ask for fewer at start.",
    step: "1",
  },
  {
    name: "sessionMaxMinutes",
    label: "Per-session max wall time (minutes)",
    hint: "From its start; then its running turn is cancelled and it stops.",
    step: "1",
  },
];

type Draft = Partial<Record<FieldName, string>>;

function draftOf(settings: BudgetSettings): Draft {
  return Object.fromEntries(
    FIELDS.map((f) => [f.name, settings[f.name] === undefined ? "" : String(settings[f.name])]),
  );
}

/** The form's text as settings: empty fields are left out (no cap), the rest must be numbers. */
function settingsOf(draft: Draft): ReturnType<typeof BudgetSettings.safeParse> {
  const raw: Record<string, number> = {};
  for (const f of FIELDS) {
    const text = (draft[f.name] ?? "").trim();
    if (text !== "") raw[f.name] = Number(text);
  }
  return BudgetSettings.safeParse(raw);
}

const usd = (n: number) => `$${n.toFixed(2)}`;

function MonthSpend() {
  const status = useQuery({ queryKey: budgetKeys.status, queryFn: getBudgetStatus });
  if (!status.data) return null;
  const { spentUsd, monthlyUsd, period, percentUsed } = status.data;
  return (
    <p className="muted">
      Spent in {period} (UTC): <strong>{usd(spentUsd)}</strong>
      {monthlyUsd === null
        ? " (no monthly budget)"
        : ` of ${usd(monthlyUsd)} (${Math.floor(percentUsed ?? 0)}%)`}
      .
    </p>
  );
}

export function BudgetPanel() {
  const queryClient = useQueryClient();
  const settings = useQuery({ queryKey: budgetKeys.settings, queryFn: getBudgetSettings });
  const [draft, setDraft] = useState<Draft | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: putBudgetSettings,
    onSuccess: (value) => {
      queryClient.setQueryData(budgetKeys.settings, value);
      void queryClient.invalidateQueries({ queryKey: budgetKeys.status });
      setDraft(null);
      setSaved(true);
    },
  });

  if (settings.isPending) return <Loading />;
  if (settings.isError) return <ErrorState error={settings.error} onRetry={() => void settings.refetch()} />;
  const values = draft ?? draftOf(settings.data);

  function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    const parsed = settingsOf(values);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = FIELDS.find((f) => f.name === issue?.path[0]);
      return setFormError(`${field?.label ?? "Budget"}: ${issue?.message ?? "not a valid number"}`);
    }
    setFormError(null);
    save.mutate(parsed.data);
  }

  return (
    <div>
      <MonthSpend />
      <form className="form" onSubmit={submit}>
        {FIELDS.map((f) => (
          <Field key={f.name} id={`budget-${f.name}`} label={f.label}>
            <input
              id={`budget-${f.name}`}
              type="number"
              min="0"
              step={f.step}
              inputMode="decimal"
              placeholder="No cap"
              value={values[f.name] ?? ""}
              onChange={(e) => setDraft({ ...values, [f.name]: e.target.value })}
            />
            <p className="muted small">{f.hint}</p>
          </Field>
        ))}
        <button type="submit" className="button button-primary" disabled={save.isPending}>
          Save budget
        </button>
      </form>
      {saved ? (
        <p className="muted" role="status">
          Budget saved.
        </p>
      ) : null}
      <FormError message={formError} error={save.error} />
    </div>
  );
}
