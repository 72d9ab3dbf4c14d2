import { createLogger } from '../../lib/logger';
import { pollingLoop } from '../../lib/polling-loop';

/** Resolves when `check` holds, polled on every turn of the event loop (never by a fixed sleep). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setImmediate(resolve));
}

const log = createLogger({ level: 'silent' });
const HOUR_MS = 3_600_000;

describe('the outboxes’ polling loop', () => {
  it('runs a round as soon as it is woken from its pause', async () => {
    let rounds = 0;
    const loop = pollingLoop({ runOnce: async () => ++rounds, intervalMs: HOUR_MS, log, failure: 'failed' });
    loop.start();
    await until(() => rounds === 1);
    loop.wake();
    await until(() => rounds === 2);
    loop.wake();
    await until(() => rounds === 3);
    await loop.stop();
    expect(rounds).toBe(3);
  });

  it('goes again at once when woken during a round, since what woke it may have come after the round looked', async () => {
    let rounds = 0;
    let release: (() => void) | undefined;
    const loop = pollingLoop({
      runOnce: async () => {
        rounds++;
        if (rounds === 1) await new Promise<void>((resolve) => (release = resolve));
      },
      intervalMs: HOUR_MS,
      log,
      failure: 'failed',
    });
    loop.start();
    await until(() => release !== undefined);
    loop.wake();
    release!();
    await until(() => rounds === 2);
    await loop.stop();
    expect(rounds).toBe(2);
  });

  it('pauses as long as pauseMs says after each round, and the interval after a failed one', async () => {
    const pauses: number[] = [];
    let rounds = 0;
    const loop = pollingLoop({
      runOnce: async () => {
        rounds++;
        if (rounds === 3) throw new Error('a failed round');
        return rounds;
      },
      intervalMs: HOUR_MS,
      log,
      failure: 'failed',
      // Round 1 asks for no pause (more is due), round 2 for an hour; round 3 fails.
      pauseMs: (round) => {
        const pause = round === 1 ? 0 : HOUR_MS;
        pauses.push(pause);
        return pause;
      },
    });
    loop.start();
    await until(() => rounds === 2);
    // Round 2 asked for an hour: only a wake brings round 3, which fails, and round 4 after another wake.
    loop.wake();
    await until(() => rounds === 3);
    loop.wake();
    await until(() => rounds === 4);
    await loop.stop();
    expect(pauses).toEqual([0, HOUR_MS, HOUR_MS]);
  });

  it('stops in the middle of a pause without another round', async () => {
    let rounds = 0;
    const loop = pollingLoop({ runOnce: async () => ++rounds, intervalMs: HOUR_MS, log, failure: 'failed' });
    loop.start();
    await until(() => rounds === 1);
    await loop.stop();
    expect(rounds).toBe(1);
  });
});
