import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../lib/logger';

let installed = false;

/** Sends the SDK's own logs (worker state, workflow logs) through our logger; once per process. */
export function installTemporalRuntime(log: Logger, level: LogLevel = 'WARN'): void {
  if (installed) return;
  installed = true;
  const levels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
    TRACE: 'trace',
    DEBUG: 'debug',
    INFO: 'info',
    WARN: 'warn',
    ERROR: 'error',
  };
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => log[levels[entry.level]]({ ...entry.meta, sdk: true }, entry.message)),
    // The Rust core logs on its own unless told to forward; forwarded, its lines go through pino too.
    telemetryOptions: { logging: { filter: { core: level, other: level }, forward: {} } },
    // Our processes own their shutdown (readiness to 503 first, then the worker drains): the SDK
    // must not stop workers on SIGTERM behind their back, or the supervisor would start them again.
    shutdownSignals: [],
  });
}
