/**
 * The Temporal server's own counters (its Prometheus endpoint), read before and after a phase, so that
 * a row can say what work the server did per onboarding: persistence requests by operation, tasks
 * matched to a waiting poller ("sync") against tasks written to the task queue's backlog first.
 */

/** Counter totals: by metric name, and by `name:operation` where the series has an operation label. */
export type ServerCounters = Map<string, number>;

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})?\s+(\S+)/;
const OPERATION = /(?:^|,)operation="([^"]*)"/;
/** Histograms' series are not counters of work; their _count duplicates the counters read here. */
const SKIP = /_(bucket|sum|count)$/;

export function parseCounters(text: string): ServerCounters {
  const totals: ServerCounters = new Map();
  const add = (key: string, value: number) => totals.set(key, (totals.get(key) ?? 0) + value);
  for (const line of text.split('\n')) {
    const match = SAMPLE.exec(line);
    if (!match || SKIP.test(match[1])) continue;
    const value = Number(match[3]);
    if (!Number.isFinite(value)) continue;
    add(match[1], value);
    const operation = match[2] ? OPERATION.exec(match[2])?.[1] : undefined;
    if (operation) add(`${match[1]}:${operation}`, value);
  }
  return totals;
}

export async function readServerCounters(metricsUrl: string): Promise<ServerCounters> {
  const res = await fetch(metricsUrl);
  if (!res.ok) throw new Error(`${metricsUrl}: ${res.status}`);
  return parseCounters(await res.text());
}

/** What one phase did, per onboarding. */
export interface ServerWork {
  persistenceRequests: number;
  /** The largest persistence operations, per onboarding, largest first. */
  persistenceByOperation: Record<string, number>;
  /** Tasks handed to a poller that was already waiting, against all tasks handed out. */
  pollSuccess: number;
  pollSuccessSync: number;
  /** Frontend and history requests (every RPC the server served), per onboarding. */
  serviceRequests: number;
  /** The most frequent of those requests, per onboarding, most frequent first. */
  requestsByOperation: Record<string, number>;
}

export function serverWorkBetween(before: ServerCounters, after: ServerCounters, onboardings: number): ServerWork {
  const delta = (key: string) => ((after.get(key) ?? 0) - (before.get(key) ?? 0)) / onboardings;
  const byOperation = (metric: string) =>
    Object.fromEntries(
      [...after.keys()]
        .filter((key) => key.startsWith(`${metric}:`))
        .map((key) => [key.slice(metric.length + 1), delta(key)] as const)
        .filter(([, n]) => n > 0)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8),
    );
  return {
    persistenceRequests: delta('persistence_requests'),
    persistenceByOperation: byOperation('persistence_requests'),
    requestsByOperation: byOperation('service_requests'),
    pollSuccess: delta('poll_success'),
    pollSuccessSync: delta('poll_success_sync'),
    serviceRequests: delta('service_requests'),
  };
}
