/**
 * Links and navigations whose target comes from the server or an agent: only http(s) is followed,
 * so a `javascript:` or `data:` value can never run in the dashboard's origin.
 */
export function webUrl(raw: string | null | undefined): string | null {
  if (!raw) return null;
  try {
    const url = new URL(raw);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}
