const MAX_DELAY_MS = 60 * 60_000;

/**
 * Exponential backoff with full jitter (a uniformly random delay below the exponential ceiling), so
 * that deliveries failing together, say while a receiver is down, do not all come back together.
 * attempt counts from 1: the delay after the first failure is below initialMs.
 */
export function backoffDelayMs(attempt: number, initialMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}
