/** One labelled form field with its hint and its problem, wired for screen readers. */
import { type ReactNode, useId } from "react";
import { FieldErrorText } from "./field-error";
import type { FieldError } from "./form-state";

export interface ControlProps {
  id: string;
  "aria-invalid"?: true;
  "aria-describedby"?: string;
}

export function FormField({
  label,
  hint,
  error,
  source,
  children,
}: {
  label: string;
  hint?: ReactNode;
  error?: FieldError | undefined;
  /** The field's text, so a problem at a position can be pointed at. */
  source?: string;
  children(control: ControlProps): ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const described = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        ...(error ? { "aria-invalid": true as const } : {}),
        ...(described ? { "aria-describedby": described } : {}),
      })}
      {hint ? (
        <span id={hintId} className="muted small">
          {hint}
        </span>
      ) : null}
      {error ? (
        <FieldErrorText id={errorId} error={error} {...(source !== undefined ? { source } : {})} />
      ) : null}
    </div>
  );
}
