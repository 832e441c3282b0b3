/**
 * The automations' expression language: filters on a delivery's JSON, prompt templates with
 * `{{payload.path}}` substitutions, and payload paths (docs/automation-expressions.md). Pure: no
 * I/O, no eval, no regular expressions built from user text; runs in workerd and in the browser.
 */
export {
  type Filter,
  type FilterNode,
  MAX_FILTER_CHARS,
  MAX_FILTER_NESTING,
  matchesFilter,
  parseFilter,
} from "./filter.ts";
export type { Literal } from "./literal.ts";
export {
  type ExprPath,
  type ExprScope,
  formatPath,
  MAX_PATH_DEPTH,
  PATH_ROOTS,
  type PathRoot,
  parsePayloadPath,
  readPayloadPath,
} from "./path.ts";
export { TRUNCATION_MARK } from "./render-value.ts";
export type { ExprError } from "./scanner.ts";
export {
  DEFAULT_MAX_PROMPT_CHARS,
  DEFAULT_MAX_VALUE_CHARS,
  MAX_TEMPLATE_CHARS,
  parseTemplate,
  type RenderOptions,
  renderTemplate,
  type Template,
  type TemplatePart,
  templatePaths,
} from "./template.ts";
