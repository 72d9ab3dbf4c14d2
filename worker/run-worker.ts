import { NativeConnection, type NativeConnectionOptions, type Worker } from '@temporalio/worker';
import type { Logger } from '../lib/logger';

export interface SupervisedWorker {
  /** Resolves when the worker has stopped for good (after stop()). */
  done: Promise<void>;
  /** True while the worker polls its task queue: a worker's readiness. */
  isPolling(): boolean;
  stop(): Promise<void>;
}

/**
 * Keeps a worker running across Temporal outages: Worker.create fails while the server is away and
 * does not retry by itself, and a worker that fails while running is built again after a backoff.
 */
export function superviseWorker(options: {
  connection: NativeConnectionOptions;
  log: Logger;
  build: (connection: NativeConnection) => Promise<Worker>;
  onRunning?: () => void;
}): SupervisedWorker {
  const { log, build } = options;
  let stopping = false;
  let current: Worker | undefined;
  let wake: () => void = () => undefined;

  const done = (async () => {
    for (let delay = 500; !stopping; delay = Math.min(delay * 2, 10_000)) {
      let connection: NativeConnection | undefined;
      try {
        connection = await NativeConnection.connect(options.connection);
        current = await build(connection);
        if (stopping) break;
        options.onRunning?.();
        delay = 500;
        await current.run();
      } catch (err) {
        if (stopping) break;
        log.warn(
          { err: { message: (err as Error).message }, retryInMs: delay },
          'Temporal worker not running; retrying',
        );
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, delay);
        });
      } finally {
        current = undefined;
        await connection?.close().catch(() => undefined);
      }
    }
  })();

  return {
    done,
    isPolling: () => current?.getState() === 'RUNNING',
    async stop() {
      stopping = true;
      wake();
      if (current && current.getState() === 'RUNNING') current.shutdown();
      await done;
    },
  };
}
