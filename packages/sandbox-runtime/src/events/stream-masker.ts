/**
 * Masking text that arrives in pieces. A secret split across two `message.delta` chunks or two
 * output chunks is in neither, so each stream keeps back the tail of what it was given that could
 * still become a secret (the longest suffix that is a proper prefix of some form of some secret)
 * and releases it with the stream's next piece, or when the stream ends. Everything else is
 * masked and released at once, in order; nothing is dropped.
 */
import { MASK, secretPattern } from "./mask-secrets";

export class StreamMasker {
  private readonly pattern: RegExp | null;
  /** Every proper prefix of every form: what a held-back tail may be. */
  private readonly prefixes = new Set<string>();
  private readonly firstChars = new Set<string>();
  private readonly longestPrefix: number;
  private readonly pending = new Map<string, string>();

  constructor(values: readonly string[]) {
    const compiled = secretPattern(values);
    this.pattern = compiled?.pattern ?? null;
    let longest = 0;
    for (const form of compiled?.forms ?? []) {
      this.firstChars.add(form[0] as string);
      for (let length = 1; length < form.length; length++) this.prefixes.add(form.slice(0, length));
      longest = Math.max(longest, form.length - 1);
    }
    this.longestPrefix = longest;
  }

  /** Streams with text held back. */
  get openStreams(): string[] {
    return [...this.pending.keys()];
  }

  isOpen(key: string): boolean {
    return this.pending.has(key);
  }

  /** The next piece of stream `key` → the masked text that can be released now (maybe ""). */
  push(key: string, piece: string): string {
    const pattern = this.pattern;
    if (!pattern) return piece;
    const text = (this.pending.get(key) ?? "") + piece;
    let lastMatchEnd = 0;
    pattern.lastIndex = 0;
    for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
      lastMatchEnd = match.index + match[0].length;
    }
    const holdFrom = this.holdBackFrom(text, Math.max(lastMatchEnd, text.length - this.longestPrefix));
    if (holdFrom === text.length) this.pending.delete(key);
    else this.pending.set(key, text.slice(holdFrom));
    // No match reaches into the held-back tail, so masking the rest alone gives the same text.
    const released = holdFrom === text.length ? text : text.slice(0, holdFrom);
    return lastMatchEnd === 0 ? released : released.replace(pattern, MASK);
  }

  /** Stream `key` ended: what it held back, masked (it is not a secret: no more text can complete it). */
  end(key: string): string {
    const rest = this.pending.get(key) ?? "";
    this.pending.delete(key);
    return this.pattern ? rest.replace(this.pattern, MASK) : rest;
  }

  /** The earliest index ≥ from where the rest of `text` could still grow into a form. */
  private holdBackFrom(text: string, from: number): number {
    for (let i = Math.max(0, from); i < text.length; i++) {
      if (this.firstChars.has(text[i] as string) && this.prefixes.has(text.slice(i))) return i;
    }
    return text.length;
  }
}
