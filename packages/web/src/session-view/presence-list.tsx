/** Who else is watching this session, and who is typing a follow-up. */
import type { Presence } from "../stream/use-session-stream";

export function PresenceList({ presence }: { presence: Presence | null }) {
  if (!presence) return null;
  const others = presence.participants.filter((p) => p.id !== presence.you);
  const typing = others.filter((p) => p.typing);
  return (
    <div className="presence" aria-live="polite" data-testid="presence">
      <span className="muted small">Watching:</span>
      <ul className="presence-list">
        {presence.participants.map((p) => (
          <li key={p.id} className={p.id === presence.you ? "presence-you" : undefined} title={p.name}>
            <span className="avatar" aria-hidden="true">
              {p.name.slice(0, 1).toUpperCase()}
            </span>
            {p.id === presence.you ? `${p.name} (you)` : p.name}
          </li>
        ))}
      </ul>
      {typing.length > 0 ? (
        <span className="muted small">
          {typing.map((p) => p.name).join(", ")} {typing.length === 1 ? "is" : "are"} typing…
        </span>
      ) : null}
    </div>
  );
}
