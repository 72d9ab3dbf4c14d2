import { createLogger } from '../../lib/logger';
import { createMetrics } from '../../api/metrics';
import { metricNamesIn, referencedExpressions, referencedMetricNames } from '../support/metric-references';

/**
 * The dashboard and the alert rules read only metrics that exist: a renamed metric would otherwise leave a
 * panel empty and an alert silent without anyone noticing. Here gangway's own names against the API's
 * registry; test/integration/telemetry.test.ts checks every name, the Temporal SDK's too, against what real
 * processes serve.
 */
describe('docs/grafana/gangway.json and docs/prometheus/alerts.yml', () => {
  it('parse, and every expression reads at least one metric', () => {
    const expressions = referencedExpressions();
    expect(expressions.length).toBeGreaterThan(20);
    for (const { source, expr } of expressions)
      expect({ source, names: metricNamesIn(expr) }).not.toEqual({ source, names: [] });
  });

  it("reference only gangway metrics the API's /metrics registers", async () => {
    const { registry } = createMetrics({
      readFigures: () => Promise.reject(new Error('not read: names only')),
      cacheTtlMs: 1_000,
      log: createLogger({ level: 'silent' }),
    });
    const exported = new Set<string>();
    for (const metric of registry.getMetricsAsArray()) {
      const { name, type } = metric as unknown as { name: string; type: string };
      exported.add(name);
      if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) exported.add(`${name}${suffix}`);
    }
    const unknown = [...referencedMetricNames()]
      .filter(([name]) => name.startsWith('gangway_') && !exported.has(name))
      .map(([name, sources]) => `${name} (${sources.join(', ')})`);
    expect(unknown).toEqual([]);
  });

  it('finds metric names in PromQL, not functions, labels or keywords', () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.95, sum by (le, route) (rate(gangway_http_request_duration_seconds_bucket{route="/x"}[5m])))',
      ),
    ).toEqual(['gangway_http_request_duration_seconds_bucket']);
    expect(metricNamesIn('sum by (instance, task_queue) (temporal_num_pollers) == 0')).toEqual([
      'temporal_num_pollers',
    ]);
  });
});
