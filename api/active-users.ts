import type { Pool } from 'pg';
import { listenForUserAccessChanges } from '../db/user-access';
import { isUserActive } from '../db/users';
import { keepListening, type KeptListener } from '../lib/keep-listening';
import type { Logger } from '../lib/logger';
import { Remembered } from './remembered';

/** How long a user found active is trusted without asking again; a change heard ends it sooner. */
const REMEMBER_MS = 60_000;
/** Users remembered at most; the longest remembered is forgotten first. */
const MAX_REMEMBERED = 10_000;

/**
 * Whether a token's user may still act, asked on every authenticated request. A user found active is
 * remembered while this process LISTENs for changes of access in PostgreSQL (migration 015's trigger):
 * a disable made anywhere (another API process, the CLI straight in PostgreSQL) reaches every process
 * at its commit and the user is forgotten, so their tokens still stop at once, without a query per
 * request (#18, the read path). While not listening (starting, or the connection lost until it is back)
 * nothing is remembered and every request asks PostgreSQL, as before.
 */
export class ActiveUsers {
  private readonly remembered = new Remembered<true>(MAX_REMEMBERED);
  /** Moves on every change heard, every loss and every new listener: a lookup that spans one is not kept. */
  private epoch = 0;
  private readonly listener: KeptListener;

  constructor(
    private readonly pool: Pool,
    options: { connectionString: string; log: Logger },
  ) {
    this.listener = keepListening({
      listen: (onLost) =>
        listenForUserAccessChanges(options.connectionString, { onChange: (userId) => this.forget(userId), onLost }),
      onListening: () => this.epoch++,
      onLost: () => {
        this.epoch++;
        this.remembered.clear();
      },
      what: 'user access changes (asking each time meanwhile)',
      log: options.log,
    });
  }

  /** Whether changes of access are heard now (and so whether anything is remembered). */
  get listening(): boolean {
    return this.listener.listening;
  }

  async isActive(userId: string): Promise<boolean> {
    if (this.remembered.get(userId)) return true;
    const epoch = this.epoch;
    const active = await isUserActive(this.pool, userId);
    if (active && this.listening && epoch === this.epoch) this.remember(userId);
    return active;
  }

  /** This process changed the user's access: forgotten now, before the notification comes back. */
  forget(userId: string): void {
    this.epoch++;
    this.remembered.forget(userId);
  }

  /** Starts listening; a failure is logged and retried, the process meanwhile asks PostgreSQL every time. */
  start(): Promise<void> {
    return this.listener.start();
  }

  stop(): Promise<void> {
    return this.listener.stop();
  }

  private remember(userId: string): void {
    this.remembered.remember(userId, true, Date.now() + REMEMBER_MS);
  }
}
