import type { Logger } from './logger';

const RELISTEN_MS = { first: 500, max: 30_000 };

/** One listening connection (db/listen.ts). */
export interface OpenListener {
  close(): Promise<void>;
}

export interface KeptListener {
  /** Whether notifications are heard now. */
  readonly listening: boolean;
  /** Starts listening; a failure is logged and retried with a growing pause, as is a lost connection. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Keeps one LISTEN going through failures: a connection refused or lost is tried again after 0.5 s,
 * then twice as long each time up to 30 s. What a caller relies on while nothing is heard is its own
 * (`onListening`, `onLost`): asking PostgreSQL every time, or polling more often.
 */
export function keepListening(options: {
  /** Opens the listener; it calls `onLost` once if its connection ends. */
  listen(onLost: (err: Error) => void): Promise<OpenListener>;
  /** Listening has begun, first or again: anything missed before it is for the caller to catch up on. */
  onListening?(): void;
  /** Listening stopped for a loss (not for stop()). */
  onLost?(err: Error): void;
  /** What is listened for, in the log lines: "user access changes". */
  what: string;
  log: Logger;
}): KeptListener {
  const { log, what } = options;
  let listener: OpenListener | undefined;
  let relisten: NodeJS.Timeout | undefined;
  let delayMs = RELISTEN_MS.first;
  let stopped = false;

  const lost = (err: Error) => {
    listener = undefined;
    options.onLost?.(err);
    if (stopped) return;
    log.warn({ err: { message: err.message } }, `stopped hearing ${what}`);
    scheduleRelisten();
  };

  const scheduleRelisten = () => {
    if (stopped) return;
    relisten = setTimeout(() => void start(), delayMs);
    relisten.unref();
    delayMs = Math.min(delayMs * 2, RELISTEN_MS.max);
  };

  async function start(): Promise<void> {
    stopped = false;
    try {
      const opened = await options.listen(lost);
      if (stopped) return void (await opened.close());
      listener = opened;
      delayMs = RELISTEN_MS.first;
      options.onListening?.();
    } catch (err) {
      log.warn({ err: { message: (err as Error).message } }, `cannot listen for ${what}`);
      scheduleRelisten();
    }
  }

  return {
    get listening() {
      return listener !== undefined;
    },
    start,
    async stop() {
      stopped = true;
      clearTimeout(relisten);
      const open = listener;
      listener = undefined;
      await open?.close();
    },
  };
}
