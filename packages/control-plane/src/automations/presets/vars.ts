/** Helpers for what presets hand the template as `{{preset.name}}`: short, single strings. */

/** Longer values are cut here already; the template caps each substitution again when it renders. */
const MAX_VAR_CHARS = 2_000;

export function boundedVar(value: string, max = MAX_VAR_CHARS): string {
  return value.length > max ? value.slice(0, max) : value;
}

/** The value when it is an absolute http(s) URL (what a prompt may link to), else undefined. */
export function httpUrl(value: string | null | undefined): string | undefined {
  if (!value || value.length > MAX_VAR_CHARS) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  return url.protocol === "https:" || url.protocol === "http:" ? url.href : undefined;
}
