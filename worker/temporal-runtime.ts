import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../lib/logger';

let installed: { metricsAddress?: string } | undefined;

/**
 * Sends the SDK's own logs (worker state, workflow logs) through our logger and, given an address, serves the
 * SDK's worker metrics (slots, poll and task latencies, sticky cache, schedule-to-start) for Prometheus there.
 * The SDK allows one Runtime per process, installed before any worker or native connection exists: the first
 * call decides, later ones (tests run many stacks in one process) change nothing.
 */
export function installTemporalRuntime(log: Logger, options: { level?: LogLevel; metricsAddress?: string } = {}): void {
  if (installed) {
    if (options.metricsAddress && options.metricsAddress !== installed.metricsAddress)
      log.warn({ metricsAddress: options.metricsAddress }, 'Temporal runtime already installed; SDK metrics not moved');
    return;
  }
  installed = { metricsAddress: options.metricsAddress };
  const level = options.level ?? 'WARN';
  const levels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
    TRACE: 'trace',
    DEBUG: 'debug',
    INFO: 'info',
    WARN: 'warn',
    ERROR: 'error',
  };
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => log[levels[entry.level]]({ ...entry.meta, sdk: true }, entry.message)),
    telemetryOptions: {
      // The Rust core logs on its own unless told to forward; forwarded, its lines go through pino too.
      logging: { filter: { core: level, other: level }, forward: {} },
      // Seconds and _total, as Prometheus names them; docs/operations.md lists what the dashboard reads.
      ...(options.metricsAddress
        ? {
            metrics: {
              prometheus: {
                bindAddress: options.metricsAddress,
                useSecondsForDurations: true,
                countersTotalSuffix: true,
              },
            },
          }
        : {}),
    },
    // Our processes own their shutdown (readiness to 503 first, then the worker drains): the SDK
    // must not stop workers on SIGTERM behind their back, or the supervisor would start them again.
    shutdownSignals: [],
  });
  if (options.metricsAddress) log.info({ metricsAddress: options.metricsAddress }, 'Temporal SDK metrics served');
}
