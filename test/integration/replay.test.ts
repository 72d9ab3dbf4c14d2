import { Worker } from '@temporalio/worker';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createDataConverter } from '../../lib/data-converter';
import { createLogger } from '../../lib/logger';
import { installTemporalRuntime } from '../../worker/temporal-runtime';
import { testWorkflowBundle } from '../support/workflow-bundle';

/**
 * Histories recorded from real runs (RECORD_HISTORIES=1 npx jest onboarding-flow …) replayed
 * against today's workflow code: a change that would break a running onboarding fails here, and
 * goes behind patched() instead. Each journey is kept from before each patch (NAME.json) and after
 * it (NAME-audit-with-projection.json, NAME-one-approval-supervisor.json), so every branch stays covered.
 */
describe('workflow replay', () => {
  beforeAll(() => installTemporalRuntime(createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' })));

  it('replays every recorded history without nondeterminism', async () => {
    const dir = path.join(__dirname, '..', 'fixtures', 'histories');
    const files = (await readdir(dir)).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    const histories = await Promise.all(
      files.map(async (file) => ({ workflowId: file, history: JSON.parse(await readFile(path.join(dir, file), 'utf8')) })),
    );
    // The same converter as production; fixtures recorded before the codec pass through it unchanged.
    const replayConverter = createDataConverter({ current: randomBytes(32), previous: [] });
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: testWorkflowBundle(), dataConverter: replayConverter }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  });
});
