import { Client } from 'pg';
import type { OpenListener } from '../lib/keep-listening';

/**
 * A connection of its own that LISTENs on one channel. `onLost` is called once if the connection ends or
 * fails (a restarted server): what was heard until then is all that is known, and the caller decides what
 * that means (lib/keep-listening.ts listens again).
 */
export async function listen(
  connectionString: string,
  channel: string,
  handlers: { onNotify(payload: string): void; onLost(err: Error): void },
): Promise<OpenListener> {
  // A channel is an identifier, written into the statement: only our own plain names are.
  if (!/^[a-z_]+$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
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
    if (n.channel === channel) handlers.onNotify(n.payload ?? '');
  });
  try {
    await client.connect();
    await client.query(`LISTEN ${channel}`);
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
