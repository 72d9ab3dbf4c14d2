import type { Pool } from 'pg';
import { masterKeyId, type MasterKeys } from '../lib/master-keys';
import { newDataKey, unwrapDataKey, wrapDataKey, type DataKey, type WrappedDataKey } from '../lib/envelope';
import { withTransaction } from './transaction';

interface Row {
  id: string;
  master_key_id: string;
  wrapped: string;
}
const toWrapped = (r: Row): WrappedDataKey => ({ id: r.id, masterKeyId: r.master_key_id, wrapped: r.wrapped });

/**
 * The installation's data key, created on first use. The advisory lock makes the API and the
 * worker, starting together, agree on one key instead of each creating its own.
 */
export async function loadDataKey(pool: Pool, keys: MasterKeys): Promise<DataKey> {
  return withTransaction(pool, async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('gangway:data_keys'))");
    const { rows } = await tx.query<Row>(
      'SELECT id, master_key_id, wrapped FROM data_keys ORDER BY created_at LIMIT 1',
    );
    if (rows[0]) return unwrapDataKey(toWrapped(rows[0]), keys);
    const dataKey = newDataKey();
    const w = wrapDataKey(dataKey, keys.current);
    await tx.query('INSERT INTO data_keys (id, master_key_id, wrapped) VALUES ($1, $2, $3)', [
      w.id,
      w.masterKeyId,
      w.wrapped,
    ]);
    return dataKey;
  });
}

/**
 * After a master key rotation: every data key still wrapped by a previous master key is wrapped
 * again by the current one. Each row is its own short update, so the command can be re-run.
 */
export async function rewrapDataKeys(pool: Pool, keys: MasterKeys): Promise<{ rewrapped: string[]; current: number }> {
  const currentId = masterKeyId(keys.current);
  const { rows } = await pool.query<Row>(
    'SELECT id, master_key_id, wrapped FROM data_keys WHERE master_key_id <> $1 ORDER BY created_at',
    [currentId],
  );
  const rewrapped: string[] = [];
  for (const row of rows) {
    const w = wrapDataKey(unwrapDataKey(toWrapped(row), keys), keys.current);
    const updated = await pool.query(
      'UPDATE data_keys SET master_key_id = $2, wrapped = $3, rewrapped_at = now() WHERE id = $1 AND master_key_id = $4',
      [w.id, w.masterKeyId, w.wrapped, row.master_key_id],
    );
    if (updated.rowCount) rewrapped.push(row.id);
  }
  const { rows: all } = await pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM data_keys WHERE master_key_id = $1',
    [currentId],
  );
  return { rewrapped, current: all[0].n };
}
