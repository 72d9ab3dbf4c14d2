/**
 * What this API process has found out and may trust until a moment it was told, at most `max` entries,
 * the longest remembered forgotten first: users found active (api/active-users.ts) and access tokens
 * already verified (api/auth.ts). An entry past its moment is never answered, and is dropped when asked.
 */
export class Remembered<T> {
  private readonly entries = new Map<string, { value: T; untilMs: number }>();

  constructor(private readonly max: number) {}

  /** What was remembered under the key, while its moment has not passed. */
  get(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.untilMs > Date.now()) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  remember(key: string, value: T, untilMs: number): void {
    if (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { value, untilMs });
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
