import type { OpenListener } from '../lib/keep-listening';
import { listen } from './listen';

/** The channel on which PostgreSQL names a user whose access changed (migration 015's trigger). */
const CHANNEL = 'gangway_user_access';

/** Hears users disabled, enabled or removed, by anyone (db/listen.ts). */
export function listenForUserAccessChanges(
  connectionString: string,
  handlers: { onChange(userId: string): void; onLost(err: Error): void },
): Promise<OpenListener> {
  return listen(connectionString, CHANNEL, {
    onNotify: (userId) => userId && handlers.onChange(userId),
    onLost: (err) => handlers.onLost(err),
  });
}
