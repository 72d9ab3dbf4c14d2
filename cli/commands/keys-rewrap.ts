import { rewrapDataKeys } from '../../db/data-keys';
import { createPool } from '../../db/pool';
import { UnknownMasterKeyError } from '../../lib/envelope';
import { ConfigError, loadConfig, requireMasterKeys } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { masterKeyId } from '../../lib/master-keys';
import { CliError, EXIT, type Context } from '../context';
import { describeDatabaseUrl, resolveDatabaseUrl } from '../runtime-file';

/**
 * Master key rotation, second half: with the new key in GANGWAY_MASTER_KEY and the old one(s) in
 * GANGWAY_PREVIOUS_MASTER_KEYS, wraps every data key again under the new key. Afterwards the old
 * keys can be removed. Sealed values are untouched: they are encrypted under the data keys.
 */
export async function keysRewrap(ctx: Context, options: { json?: boolean } = {}): Promise<number> {
  let keys;
  try {
    keys = requireMasterKeys(
      loadConfig({
        GANGWAY_MASTER_KEY: ctx.io.env.GANGWAY_MASTER_KEY,
        GANGWAY_PREVIOUS_MASTER_KEYS: ctx.io.env.GANGWAY_PREVIOUS_MASTER_KEYS,
      }),
    );
  } catch (err) {
    if (err instanceof ConfigError)
      throw new CliError(err.message, [
        'set GANGWAY_MASTER_KEY to the new key and GANGWAY_PREVIOUS_MASTER_KEYS to the old one(s)',
      ]);
    throw err;
  }
  const databaseUrl = await resolveDatabaseUrl(ctx);
  const pool = createPool(databaseUrl, createLogger({ level: 'silent' }), { max: 1 });
  try {
    const { rewrapped, current } = await rewrapDataKeys(pool, keys);
    const masterKey = masterKeyId(keys.current);
    if (options.json) ctx.out(JSON.stringify({ rewrapped: rewrapped.length, current, masterKey }));
    else
      ctx.out(
        `re-wrapped ${rewrapped.length} data key(s) under master key ${masterKey}; ${current} data key(s) now use it`,
      );
    return EXIT.ok;
  } catch (err) {
    if (err instanceof UnknownMasterKeyError)
      throw new CliError(err.message, ['add the key that wrapped it to GANGWAY_PREVIOUS_MASTER_KEYS']);
    throw new CliError(`PostgreSQL at ${describeDatabaseUrl(databaseUrl)} failed: ${(err as Error).message}`);
  } finally {
    await pool.end().catch(() => undefined);
  }
}
