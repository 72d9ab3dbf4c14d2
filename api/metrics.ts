import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BusinessFigures, Quantiles } from '../db/metrics';
import { FINAL_STATUSES, OPEN_STATUSES, type Connectivity } from '../domain';
import type { Logger } from '../lib/logger';

const CONNECTIVITIES: readonly Connectivity[] = ['PENDING', 'CONNECTED', 'FAILED'];
export const EVENT_LOOP_SAMPLE_MS = 100;

/**
 * The API's /metrics: the process (prom-client's defaults), its HTTP traffic, and the business read from
 * PostgreSQL at scrape time. The figures are cached for `cacheTtlMs` and one read is shared by concurrent
 * scrapes, so several Prometheus servers scraping every API process cost one query per TTL per process.
 * One registry per app, so tests can build several apps in one process.
 */
export function createMetrics(options: {
  /** db/metrics.ts readBusinessFigures over the API's pool. */
  readFigures: () => Promise<BusinessFigures>;
  cacheTtlMs: number;
  log: Logger;
}) {
  const registry = new Registry();
  // The event-loop delay is sampled every 100 ms, not prom-client's 10: a timer 100 times a second kept an idle
  // API process at 20 ms of CPU per second against 10–12 (docs/performance.md, "at rest"). A stall delays the
  // next sample as much either way, so the lag's histogram still sees it (test/unit/event-loop-metrics.test.ts).
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  const registers = [registry];
  const requests = new Counter({
    name: 'gangway_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  });
  const requestDuration = new Histogram({
    name: 'gangway_http_request_duration_seconds',
    help: 'HTTP request latency by method, route (the pattern, never the URL) and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const readErrors = new Counter({
    name: 'gangway_metrics_read_errors_total',
    help: 'Scrapes whose business figures could not be read from PostgreSQL (those gauges are then absent)',
    registers,
  });

  let cached: { at: number; figures: Promise<BusinessFigures> } | undefined;
  const figures = (): Promise<BusinessFigures> => {
    if (!cached || Date.now() - cached.at > options.cacheTtlMs) {
      const read = options.readFigures();
      cached = { at: Date.now(), figures: read };
      // A failed read is not kept: the next scrape tries again.
      read.catch(() => {
        if (cached?.figures === read) cached = undefined;
      });
    }
    return cached.figures;
  };

  /** A gauge whose value(s) come from the figures at collect time; absent when they cannot be read. */
  const business = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    set: (gauge: Gauge<L>, f: BusinessFigures) => void,
  ) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers,
      async collect() {
        this.reset();
        try {
          set(this, await figures());
        } catch (err) {
          readErrors.inc();
          options.log.warn({ err: { message: (err as Error).message }, metric: name }, 'business metrics not read');
        }
      },
    });
  const quantiles = (gauge: Gauge<'quantile'>, q: Quantiles) => {
    for (const [quantile, value] of [
      ['0.5', q.p50],
      ['0.9', q.p90],
      ['1', q.max],
    ] as const)
      if (value !== null) gauge.set({ quantile }, value);
  };

  business('gangway_onboardings', 'Onboardings by status', ['status'], (g, f) => {
    for (const status of [...OPEN_STATUSES, ...FINAL_STATUSES]) g.set({ status }, f.onboardingsByStatus[status] ?? 0);
  });
  business('gangway_approvals_pending', 'Approval tasks waiting for a decision', [], (g, f) =>
    g.set(f.approvalsPending),
  );
  business('gangway_approvals_escalated_pending', 'Pending approval tasks already escalated', [], (g, f) =>
    g.set(f.approvalsEscalatedPending),
  );
  business(
    'gangway_approvals_oldest_pending_age_seconds',
    'How long the longest-waiting pending approval has waited for its approver (0 when none waits)',
    [],
    (g, f) => g.set(f.oldestPendingApprovalAgeSeconds),
  );
  business(
    'gangway_time_to_approve_seconds',
    'Approval requested to decided, for approvals decided in the last 24 h (quantile 1 is the longest)',
    ['quantile'],
    (g, f) => quantiles(g, f.timeToApproveSeconds),
  );
  business('gangway_approvals_decided_24h', 'Approvals decided in the last 24 h', [], (g, f) =>
    g.set(f.timeToApproveSeconds.count),
  );
  business(
    'gangway_time_to_complete_seconds',
    'Start to COMPLETED, for onboardings completed in the last 24 h (quantile 1 is the longest)',
    ['quantile'],
    (g, f) => quantiles(g, f.timeToCompleteSeconds),
  );
  business('gangway_onboardings_completed_24h', 'Onboardings completed in the last 24 h', [], (g, f) =>
    g.set(f.timeToCompleteSeconds.count),
  );
  business('gangway_collector_links_outstanding', 'Collector links mailed and neither used nor expired', [], (g, f) =>
    g.set(f.collectorLinksOutstanding),
  );
  business(
    'gangway_clients',
    "Customers' portal clients by connectivity (onboardings running or completed)",
    ['connectivity'],
    (g, f) => {
      for (const connectivity of CONNECTIVITIES) g.set({ connectivity }, f.clientsByConnectivity[connectivity] ?? 0);
    },
  );
  business('gangway_webhook_deliveries_pending', 'Webhook deliveries not yet delivered nor given up', [], (g, f) =>
    g.set(f.webhookDeliveriesPending),
  );
  business('gangway_webhook_deliveries_retrying', 'Pending webhook deliveries that failed at least once', [], (g, f) =>
    g.set(f.webhookDeliveriesRetrying),
  );
  business(
    'gangway_webhook_deliveries_failed',
    'Webhook deliveries given up after their last attempt (all time; watch its increase)',
    [],
    (g, f) => g.set(f.webhookDeliveriesFailed),
  );
  business(
    'gangway_webhook_oldest_pending_age_seconds',
    'Age of the oldest pending webhook delivery (0 when none)',
    [],
    (g, f) => g.set(f.oldestPendingWebhookAgeSeconds),
  );
  business('gangway_mail_unsent', 'Mails still unsent a minute after their first attempt', [], (g, f) =>
    g.set(f.mailUnsent),
  );

  return { registry, requests, requestDuration };
}

export type Metrics = ReturnType<typeof createMetrics>;
