/**
 * A problem shown beside its field. When it names a position in the field's text (a filter or a
 * template), the line it is on is quoted with a caret under the spot, and line and column are said.
 */
import type { FieldError } from "./form-state";

/** Line and column (1-based) of a 0-based offset, and the line's text around it. */
export function locate(source: string, position: number): { line: number; column: number; text: string } {
  const at = Math.max(0, Math.min(position, source.length));
  const before = source.slice(0, at);
  const line = before.split("\n").length;
  const lineStart = before.lastIndexOf("\n") + 1;
  const lineEnd = source.indexOf("\n", at);
  return {
    line,
    column: at - lineStart + 1,
    text: source.slice(lineStart, lineEnd === -1 ? undefined : lineEnd),
  };
}

const EXCERPT = 60;

/** "expected ']' at 17 (at position 17)" → "expected ']'": the line and column shown after it say where. */
function withoutOffset(message: string): string {
  return message.replace(/\s*\(at position \d+\)\s*$/, "").replace(/\s+at \d+$/, "");
}

export function FieldErrorText({ id, error, source }: { id: string; error: FieldError; source?: string }) {
  const where =
    error.position !== undefined && source !== undefined ? locate(source, error.position) : undefined;
  // Long lines are cut to a window around the column so the caret stays under the right character.
  const from = where ? Math.max(0, where.column - 1 - EXCERPT / 2) : 0;
  return (
    <span id={id} className="field-error" role="alert" data-position={error.position}>
      {/* Line and column say where better than the offset the message ends with. */}
      {where ? withoutOffset(error.message) : error.message}
      {where ? (
        <>
          <span className="field-error-where">
            {" "}
            (line {where.line}, column {where.column})
          </span>
          <code className="expr-pointer" aria-hidden="true">
            {where.text.slice(from, from + EXCERPT)}
            {"\n"}
            {`${" ".repeat(where.column - 1 - from)}^`}
          </code>
        </>
      ) : null}
    </span>
  );
}
