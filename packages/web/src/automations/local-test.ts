/**
 * The payload tester for a form that is not saved yet: the same pure filter and template functions
 * the Worker runs, here in the browser, so a draft can be tried before it exists. A saved
 * automation is tested by the Worker instead (POST .../test), which also applies a preset's rules.
 */
import {
  type AutomationTestResult,
  matchesFilter,
  parseFilter,
  parseTemplate,
  readPayloadPath,
  renderTemplate,
} from "@nightshift/protocol";
import { type Draft, templateRequired } from "./form-state";

/** The sample as JSON, or a message saying where it stops being JSON. */
export function parseSample(text: string): { ok: true; payload: unknown } | { ok: false; message: string } {
  if (!text.trim()) return { ok: false, message: "Paste a JSON payload to test with." };
  try {
    return { ok: true, payload: JSON.parse(text) };
  } catch (err) {
    return {
      ok: false,
      message: `The sample is not JSON: ${err instanceof Error ? err.message : "unreadable"}`,
    };
  }
}

function repoFrom(
  draft: Draft,
  payload: unknown,
): { ok: true; repo?: string } | { ok: false; reason: string } {
  if (draft.repoMode !== "payload") return { ok: true };
  const value = readPayloadPath(payload, draft.repoPath.trim());
  if (typeof value === "string" && /^[^/\s]+\/[^/\s]+$/.test(value)) return { ok: true, repo: value };
  return { ok: false, reason: `the payload has no "owner/name" repository at ${draft.repoPath.trim()}` };
}

export function testDraft(draft: Draft, payload: unknown): AutomationTestResult {
  let filterOk = true;
  if (draft.filter.trim()) {
    const filter = parseFilter(draft.filter);
    if (!filter.ok) {
      return { matched: false, reason: "the filter does not parse", error: { ...filter.error } };
    }
    filterOk = matchesFilter(filter.filter, payload);
  }
  if (!filterOk) return { matched: false, reason: "the filter did not match this payload" };
  const repo = repoFrom(draft, payload);
  if (!repo.ok) return { matched: false, reason: repo.reason };
  const repoPart = repo.repo ? { repo: repo.repo } : {};
  if (!draft.promptTemplate.trim()) {
    return templateRequired(draft.triggerKind)
      ? { matched: false, reason: "there is no prompt template yet", ...repoPart }
      : {
          matched: true,
          reason: "the preset's own prompt is used; save and test again to see it rendered",
          ...repoPart,
        };
  }
  const template = parseTemplate(draft.promptTemplate);
  if (!template.ok) {
    return { matched: false, reason: "the template does not parse", error: { ...template.error } };
  }
  const prompt = renderTemplate(template.template, payload);
  if (!prompt.trim()) return { matched: false, reason: "the template rendered empty", ...repoPart };
  return { matched: true, prompt, ...repoPart };
}
