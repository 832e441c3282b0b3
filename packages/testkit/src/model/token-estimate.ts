/**
 * Plausible token counts for scripted replies. Real tokenizers average roughly four characters
 * of English or code per token; usage figures only need to grow with the text, not be exact.
 */

const CHARS_PER_TOKEN = 4;

/** Tokens for a piece of text: at least 1, so every reply costs something. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / CHARS_PER_TOKEN));
}

/** Input tokens of a request, from the size of its body (system prompt, tools and history included). */
export function estimateInputTokens(bodyBytes: number): number {
  return Math.max(1, Math.ceil(bodyBytes / CHARS_PER_TOKEN));
}
