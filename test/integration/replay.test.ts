import { Worker } from '@temporalio/worker';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createDataConverter } from '../../lib/data-converter';
import { createLogger } from '../../lib/logger';
import { installTemporalRuntime } from '../../worker/temporal-runtime';
import { testWorkflowBundle } from '../support/workflow-bundle';

/** One recorded history per journey, named for the paths it covers (docs/versioning.md). */
const JOURNEYS = [
  'onboarding-completed-after-wrong-credentials',
  'onboarding-cancelled-awaiting-approval',
  'approval-two-stage-reassigned',
  'approval-reminded-escalated-expired',
  'reverify-lost-client-starts-reconnect',
  'reconnect-wrong-then-right-credentials',
  'reconcile-submissions-delivers-lost-signal',
];

/**
 * Histories recorded from real runs (RECORD_HISTORIES=1 npx jest onboarding-flow onboarding-endings
 * approval-rules approval-timers reconnect
 * submission-reconciler) replayed against today's workflow code: a change that
 * would break a running execution fails here, and goes behind patched() (workflows/patches.ts) instead.
 */
describe('workflow replay', () => {
  beforeAll(() => installTemporalRuntime(createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' })));

  it('replays every recorded history without nondeterminism', async () => {
    const dir = path.join(__dirname, '..', 'fixtures', 'histories');
    const files = (await readdir(dir)).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(JOURNEYS.map((j) => `${j}.json`).sort());
    const histories = await Promise.all(
      files.map(async (file) => ({
        workflowId: file,
        history: JSON.parse(await readFile(path.join(dir, file), 'utf8')),
      })),
    );
    // The same converter as production; fixtures recorded before the codec pass through it unchanged.
    const replayConverter = createDataConverter({ current: randomBytes(32), previous: [] });
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: testWorkflowBundle(), dataConverter: replayConverter },
      histories,
    )) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  });
});
