import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * For local use only: without GANGWAY_MASTER_KEY, `npm start` keeps a generated key under .data/ so
 * that what it sealed stays readable across restarts. Production sets the variable.
 */
export async function localMasterKey(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'master.key');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const key = randomBytes(32).toString('base64');
    await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  }
}
