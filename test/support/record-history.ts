import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { findTemporalCli } from '../../infra/temporal-cli';

/**
 * With RECORD_HISTORIES=1, a test saves the history it produced as a replay fixture, exported by
 * the Temporal CLI in the JSON form the Web UI and Worker.runReplayHistories read.
 */
export async function recordHistory(workflowId: string, name: string): Promise<void> {
  if (!process.env.RECORD_HISTORIES) return;
  const cli = await findTemporalCli({ projectRoot: path.join(__dirname, '..', '..') });
  const { stdout } = await promisify(execFile)(cli, ['workflow', 'show', '--workflow-id', workflowId, '--address', process.env.TEMPORAL_ADDRESS!, '--output', 'json'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const dir = path.join(__dirname, '..', 'fixtures', 'histories');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `${name}.json`), stdout);
}
