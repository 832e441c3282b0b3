/**
 * The character cursor the filter, template and path parsers share, plus the error shape they
 * return. Parsers never throw on bad input: every failure is an `ExprError` with a 0-based offset
 * into the source, so an API can answer 400 naming the position.
 */

/** A parse error: what went wrong, in words a person understands, and where (0-based offset). */
export type ExprError = { message: string; position: number };

export type Failure = { ok: false; error: ExprError };
export type Parsed<T> = { ok: true; value: T; end: number } | Failure;

/** The message names the position too, so it reads well on its own ("… at 17"). */
export function exprError(message: string, position: number): ExprError {
  return { message: `${message} at ${position}`, position };
}

export function failAt(message: string, position: number): Failure {
  return { ok: false, error: exprError(message, position) };
}

export class Scanner {
  // Plain fields, not parameter properties: Node loads protocol with type stripping only (vitest configs import it).
  readonly src: string;
  pos: number;

  constructor(src: string, pos = 0) {
    this.src = src;
    this.pos = pos;
  }

  get atEnd(): boolean {
    return this.pos >= this.src.length;
  }

  peek(offset = 0): string {
    return this.src.charAt(this.pos + offset);
  }

  startsWith(text: string): boolean {
    return this.src.startsWith(text, this.pos);
  }

  skipWhitespace(): void {
    while (this.pos < this.src.length && isWhitespace(this.src.charCodeAt(this.pos))) this.pos++;
  }

  /** Consumes `keyword` when it is there as a whole word (not the start of a longer name). */
  takeKeyword(keyword: string): boolean {
    if (!this.startsWith(keyword)) return false;
    const after = this.src.charCodeAt(this.pos + keyword.length);
    if (isNameChar(after)) return false;
    this.pos += keyword.length;
    return true;
  }

  /** A short quote of what is at the cursor, for messages ("found 'foo'"). */
  describeHere(): string {
    if (this.atEnd) return "the end";
    // Leading whitespace, then the word that follows it: "a b" at the space reads as "' b'".
    let end = this.pos;
    while (end < this.src.length && end - this.pos < 12 && isWhitespace(this.src.charCodeAt(end))) end++;
    while (end < this.src.length && end - this.pos < 12 && !isWhitespace(this.src.charCodeAt(end))) end++;
    return `'${this.src.slice(this.pos, Math.max(end, this.pos + 1))}'`;
  }
}

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

/** Characters allowed in a path segment name: letters, digits, `_`, `$` and `-`. */
export function isNameChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x5f ||
    code === 0x24 ||
    code === 0x2d
  );
}
