/** What a settings panel says when the Worker does not offer its API (yet). */
export function NotAvailable({ what }: { what: string }) {
  return (
    <div className="state state-empty">
      <p className="state-title">{what} are not available on this server</p>
      <p className="muted">This Nightshift version has no API for them yet.</p>
    </div>
  );
}
