import { createMetrics, EVENT_LOOP_SAMPLE_MS } from '../../api/metrics';
import { createLogger } from '../../lib/logger';

/**
 * The API samples its event loop's delay every EVENT_LOOP_SAMPLE_MS instead of prom-client's 10 ms, so that an
 * idle process is idle. A stall must still show in nodejs_eventloop_lag_max_seconds within a sample or two.
 */
describe("the API's event-loop lag metrics", () => {
  const lagMax = async (registry: ReturnType<typeof createMetrics>['registry']) => {
    // prom-client reads (and resets) its histogram in the collect of nodejs_eventloop_lag_seconds, as a scrape does.
    await registry.getSingleMetric('nodejs_eventloop_lag_seconds')!.get();
    const metric = await registry.getSingleMetric('nodejs_eventloop_lag_max_seconds')!.get();
    return metric.values[0]?.value ?? 0;
  };

  it('see a stall of the event loop', async () => {
    const { registry } = createMetrics({
      readFigures: () => Promise.reject(new Error('not read')),
      cacheTtlMs: 1_000,
      log: createLogger({ level: 'silent' }),
    });
    // Let the first samples land, then read (and so reset) the histogram: what follows is the stall's.
    await new Promise((resolve) => setTimeout(resolve, 3 * EVENT_LOOP_SAMPLE_MS));
    expect(await lagMax(registry)).toBeLessThan(0.2);
    // Node's histogram misses a stall that begins in the very loop turn its sample ran in, at any resolution:
    // three stalls a third of a sample apart, so that most begin elsewhere.
    const stallMs = 300;
    for (const offset of [0, 1, 2].map((i) => (i * EVENT_LOOP_SAMPLE_MS) / 3)) {
      await new Promise((resolve) => setTimeout(resolve, offset));
      await new Promise<void>((resolve) =>
        setImmediate(() => {
          for (const until = Date.now() + stallMs; Date.now() < until;);
          resolve();
        }),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 2 * EVENT_LOOP_SAMPLE_MS));
    expect(await lagMax(registry)).toBeGreaterThanOrEqual((stallMs - EVENT_LOOP_SAMPLE_MS) / 1000);
  });
});
