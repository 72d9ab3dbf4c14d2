import type { Logger } from './logger';

/** A background round that runs until stopped: start() begins it, stop() wakes it and waits for the round. */
export interface PollingLoop {
  start: () => void;
  stop: () => Promise<void>;
}

/**
 * Runs `runOnce` again and again, pausing `intervalMs` between rounds unless `again(result)` says more is
 * due at once (a full batch). A failed round is logged and the loop goes on; stop() cuts the pause short.
 */
export function pollingLoop<T>(options: {
  runOnce: () => Promise<T>;
  intervalMs: number;
  log: Logger;
  /** The log message of a failed round. */
  failure: string;
  again?: (result: T) => boolean;
}): PollingLoop {
  const { runOnce, intervalMs, log, failure, again = () => false } = options;
  let running: Promise<void> | undefined;
  let stopping = false;
  let wake: (() => void) | undefined;

  async function loop(): Promise<void> {
    while (!stopping) {
      let more = false;
      try {
        more = again(await runOnce());
      } catch (err) {
        log.error({ err }, failure);
      }
      if (more || stopping) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  }

  return {
    start: () => {
      if (running) return;
      stopping = false;
      running = loop();
    },
    stop: async () => {
      stopping = true;
      wake?.();
      await running;
      running = undefined;
    },
  };
}
