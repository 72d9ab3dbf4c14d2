import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../lib/logger';

let installed: { metricsAddress?: string } | undefined;

/**
 * Sends the SDK's own logs (worker state, workflow logs) through our logger and, given an address, serves the
 * SDK's worker metrics (slots, poll and task latencies, sticky cache, schedule-to-start) for Prometheus there.
 * The SDK allows one Runtime per process, installed before any worker or native connection exists: the first
 * call decides, later ones (tests run many stacks in one process) change nothing. Returns where the metrics are.
 */
export function installTemporalRuntime(
  log: Logger,
  options: {
    level?: LogLevel;
    metricsAddress?: string;
    /** A busy address then only costs the metrics (`npm start`'s default) instead of stopping the process. */
    metricsOptional?: boolean;
  } = {},
): { metricsAddress?: string } {
  if (installed) {
    if (options.metricsAddress && options.metricsAddress !== installed.metricsAddress)
      log.warn({ metricsAddress: options.metricsAddress }, 'Temporal runtime already installed; SDK metrics not moved');
    return installed;
  }
  const level = options.level ?? 'WARN';
  const { metricsAddress } = options;
  try {
    install(log, level, metricsAddress);
  } catch (err) {
    if (!metricsAddress) throw err;
    // The runtime is not installed when its metrics server cannot bind: it can be installed again without.
    const problem = `TEMPORAL_METRICS_ADDRESS=${metricsAddress}: ${(err as Error).message}`;
    if (!options.metricsOptional) throw new Error(problem, { cause: err });
    log.warn({ problem }, 'Temporal SDK metrics not served');
    install(log, level, undefined);
    installed = {};
    return installed;
  }
  installed = { metricsAddress };
  if (metricsAddress) log.info({ metricsAddress }, 'Temporal SDK metrics served');
  return installed;
}

function install(log: Logger, level: LogLevel, metricsAddress: string | undefined): void {
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
      ...(metricsAddress
        ? {
            metrics: {
              prometheus: { bindAddress: metricsAddress, useSecondsForDurations: true, countersTotalSuffix: true },
            },
          }
        : {}),
    },
    // Our processes own their shutdown (readiness to 503 first, then the worker drains): the SDK
    // must not stop workers on SIGTERM behind their back, or the supervisor would start them again.
    shutdownSignals: [],
  });
}
