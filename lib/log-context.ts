import { AsyncLocalStorage } from 'node:async_hooks';

/** Fields every log line carries while one unit of work runs: an HTTP request's id, an activity's identity. */
export type LogContext = Record<string, string | number | boolean>;

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `fields` added to every log line written in it, however deep (lib/logger.ts reads them). */
export function withLogContext<T>(fields: LogContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...fields }, fn);
}

export function currentLogContext(): LogContext {
  return storage.getStore() ?? {};
}
