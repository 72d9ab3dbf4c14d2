/** Tokens remembered at most; the longest remembered is forgotten first. */
const MAX_REMEMBERED = 10_000;

/**
 * Access tokens this process has already verified, each with what it proved and until when. A staff
 * client sends the same token with every request for its lifetime; checking its HMAC, decoding it and
 * parsing its claims again each time was the largest cost of a read that ours has and a bare endpoint
 * lacks (#18, the read path). The key is the whole token, so a token that differs in any byte (another
 * signature, tampered claims) is not found and is verified in full. Nothing outlives the token's own
 * expiry, and whether its user may still act is asked on every request all the same (api/auth.ts).
 */
export class VerifiedTokens<T> {
  private readonly remembered = new Map<string, { value: T; expiresAtMs: number }>();

  /** What the token proved when it was verified, while it has not expired. */
  get(token: string): T | undefined {
    const entry = this.remembered.get(token);
    if (!entry) return undefined;
    if (entry.expiresAtMs > Date.now()) return entry.value;
    this.remembered.delete(token);
    return undefined;
  }

  remember(token: string, value: T, expiresAtMs: number): void {
    if (this.remembered.size >= MAX_REMEMBERED) {
      const oldest = this.remembered.keys().next().value;
      if (oldest !== undefined) this.remembered.delete(oldest);
    }
    this.remembered.set(token, { value, expiresAtMs });
  }

  get size(): number {
    return this.remembered.size;
  }
}
