import { Client } from 'pg';

/** The channel on which PostgreSQL names a user whose access changed (migration 015's trigger). */
const CHANNEL = 'gangway_user_access';

export interface UserAccessListener {
  close(): Promise<void>;
}

/**
 * A connection of its own that LISTENs for users disabled, enabled or removed, by anyone. `onLost` is
 * called once if the connection ends or fails (a restarted server): what was heard until then is all
 * that is known, and the caller decides what to forget.
 */
export async function listenForUserAccessChanges(
  connectionString: string,
  handlers: { onChange(userId: string): void; onLost(err: Error): void },
): Promise<UserAccessListener> {
  const client = new Client({ connectionString, connectionTimeoutMillis: 5_000 });
  let lost = false;
  const lose = (err: Error) => {
    if (lost) return;
    lost = true;
    handlers.onLost(err);
  };
  client.on('error', lose);
  client.on('end', () => lose(new Error('the listening connection ended')));
  client.on('notification', (n) => {
    if (n.channel === CHANNEL && n.payload) handlers.onChange(n.payload);
  });
  try {
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
  } catch (err) {
    lost = true;
    await client.end().catch(() => undefined);
    throw err;
  }
  return {
    async close() {
      lost = true;
      await client.end().catch(() => undefined);
    },
  };
}
