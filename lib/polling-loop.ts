import type { Logger } from './logger';

/** A background round that runs until stopped: start() begins it, stop() wakes it and waits for the round. */
export interface PollingLoop {
  start: () => void;
  stop: () => Promise<void>;
  /** Work is due: a pause ends now, and a round under way is followed by another at once. */
  wake: () => void;
}

/**
 * Runs `runOnce` again and again, pausing between rounds for `pauseMs(result)` (by default `intervalMs`;
 * 0 when more is due at once, a full batch). A failed round is logged and followed by `intervalMs`'
 * pause; stop() and wake() cut a pause short.
 */
export function pollingLoop<T>(options: {
  runOnce: () => Promise<T>;
  intervalMs: number;
  log: Logger;
  /** The log message of a failed round. */
  failure: string;
  pauseMs?: (result: T) => number | Promise<number>;
}): PollingLoop {
  const { runOnce, intervalMs, log, failure, pauseMs = () => intervalMs } = options;
  let running: Promise<void> | undefined;
  let stopping = false;
  let woken = false;
  let endPause: (() => void) | undefined;

  async function loop(): Promise<void> {
    while (!stopping) {
      woken = false;
      let pause = intervalMs;
      try {
        pause = await pauseMs(await runOnce());
      } catch (err) {
        log.error({ err }, failure);
      }
      if (woken || stopping || pause <= 0) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pause);
        endPause = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      endPause = undefined;
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
      endPause?.();
      await running;
      running = undefined;
    },
    wake: () => {
      woken = true;
      endPause?.();
    },
  };
}
