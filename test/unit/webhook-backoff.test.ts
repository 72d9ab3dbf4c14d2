import { backoffDelayMs } from '../../notify/webhook-backoff';

describe('webhook backoff', () => {
  const almostOne = () => 0.999_999;

  it('draws below a ceiling that doubles per attempt, starting at the initial delay', () => {
    expect(backoffDelayMs(1, 1_000, almostOne)).toBe(999);
    expect(backoffDelayMs(2, 1_000, almostOne)).toBe(1_999);
    expect(backoffDelayMs(4, 1_000, almostOne)).toBe(7_999);
    expect(backoffDelayMs(3, 1_000, () => 0)).toBe(0);
  });

  it('caps the ceiling at an hour', () => {
    expect(backoffDelayMs(40, 1_000, almostOne)).toBeLessThan(60 * 60_000);
    expect(backoffDelayMs(40, 1_000, almostOne)).toBeGreaterThan(59 * 60_000);
  });
});
