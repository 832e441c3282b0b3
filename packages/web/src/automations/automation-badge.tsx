/** "by <automation>" on a session row: the automation that started the session, linked. */
import "./automations.css";
import type { Session } from "@nightshift/protocol";
import { Link } from "react-router";

export function StartedByAutomation({ automation }: { automation: Session["automation"] }) {
  if (!automation) return null;
  return (
    <Link
      to={`/automations/${encodeURIComponent(automation.id)}`}
      className="automation-badge small"
      data-testid="session-automation"
      aria-label={`Started by automation ${automation.name}`}
    >
      ⚙ {automation.name}
    </Link>
  );
}
