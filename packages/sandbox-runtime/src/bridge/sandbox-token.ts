/**
 * The runtime's current sandbox token. The control plane renews it over the bridge well before it
 * expires (`token` frames); every use (bridge reconnects, the credential helper's environment)
 * reads `current()` at the time of use, so a long session never presents an expired token.
 */
export class SandboxToken {
  private value: string;
  private expiry: number | null = null;

  constructor(initial: string) {
    this.value = initial;
  }

  current(): string {
    return this.value;
  }

  /** When the current token expires (ms since the epoch), once a renewal said so. */
  get expiresAt(): number | null {
    return this.expiry;
  }

  /** Keeps the newer token; an older or equal expiry (a frame replayed out of order) is ignored. */
  renew(token: string, expiresAt: number): boolean {
    if (this.expiry !== null && expiresAt <= this.expiry) return false;
    this.value = token;
    this.expiry = expiresAt;
    return true;
  }
}
