/**
 * Headers the Worker forwards to a SessionAgent. The DO trusts `x-nightshift-*` headers as set by
 * the Worker (tenant, participant, sandbox socket and incarnation), so any a client sent are
 * dropped before the Worker sets its own.
 */
const INTERNAL_PREFIX = "x-nightshift-";

export function withoutInternalHeaders(source: Headers): Headers {
  const headers = new Headers();
  for (const [name, value] of source) {
    if (!name.toLowerCase().startsWith(INTERNAL_PREFIX)) headers.append(name, value);
  }
  return headers;
}

/** The display name the Worker forwarded (URI-encoded, as header values are bytes); null when absent. */
export function forwardedName(value: string | null): string | null {
  if (!value) return null;
  try {
    const name = decodeURIComponent(value).trim().slice(0, 80);
    return name.length > 0 ? name : null;
  } catch {
    return null;
  }
}
