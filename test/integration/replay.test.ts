import { Worker } from '@temporalio/worker';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { FAILURE_CONVERTER_PATH } from '../../lib/data-converter';
import { createLogger } from '../../lib/logger';
import { installTemporalRuntime } from '../../worker/temporal-runtime';
import { HISTORIES_DIR, recordedWorkflowId } from '../support/record-history';
import { testWorkflowBundle } from '../support/workflow-bundle';

/** One recorded history per journey, named for the paths it covers (docs/versioning.md). */
const JOURNEYS = [
  'onboarding-completed-after-wrong-credentials',
  'onboarding-completed-before-progress-with-steps',
  'onboarding-completed-before-search-attributes',
  'onboarding-completed-before-search-attributes-per-task',
  'onboarding-cancelled-awaiting-approval',
  'approval-two-stage-reassigned',
  'approval-reminded-escalated-expired',
  'reverify-lost-client-starts-reconnect',
  'reconnect-wrong-then-right-credentials',
  'reconcile-submissions-delivers-lost-signal',
  'onboarding-client-retried',
  'collector-reminded-stuck-notice',
  'expansion-adds-subscription-and-client',
  'offboarding-completed',
  'offboarding-completed-before-withdrawing-access-changes',
  'access-change-withdrawn',
  'access-change-approved',
  'access-change-reminded-escalated-expired',
];

/**
 * Histories recorded from real runs (RECORD_HISTORIES=1 npx jest onboarding-flow onboarding-endings
 * approval-rules approval-timers reconnect
 * submission-reconciler onboarding-actions expansion offboarding wms-users) replayed against today's workflow code: a change that
 * would break a running execution fails here, and goes behind patched() (workflows/patches.ts) instead.
 */
describe('workflow replay', () => {
  beforeAll(() => installTemporalRuntime(createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' })));

  it('replays every recorded history without nondeterminism', async () => {
    const files = (await readdir(HISTORIES_DIR)).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(JOURNEYS.map((j) => `${j}.json`).sort());
    const histories = await Promise.all(
      files.map(async (file) => {
        const text = await readFile(path.join(HISTORIES_DIR, file), 'utf8');
        return { workflowId: recordedWorkflowId(text) ?? file, history: JSON.parse(text) };
      }),
    );
    // Fixtures are saved decoded (their run's master key was random), so they replay without the codec,
    // which would refuse plaintext as a forgery; the failure converter is production's.
    const replayConverter = { failureConverterPath: FAILURE_CONVERTER_PATH };
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
