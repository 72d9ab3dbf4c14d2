import { backoffWithJitter } from '../../domain';

describe('portal retry backoff', () => {
  const policy = { connectivityRetryInitialMs: 1_000, connectivityRetryMaxMs: 8_000 };

  it('doubles up to the cap, each delay between half and all of it', () => {
    for (const [retry, base] of [
      [0, 1_000],
      [1, 2_000],
      [2, 4_000],
      [3, 8_000],
      [10, 8_000],
    ]) {
      const delays = Array.from({ length: 50 }, () => backoffWithJitter(retry, policy));
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(base / 2);
      expect(Math.max(...delays)).toBeLessThanOrEqual(base);
      // Jitter: fifty draws are not all the same.
      expect(new Set(delays).size).toBeGreaterThan(1);
    }
  });
});
