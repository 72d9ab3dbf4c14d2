import { Worker } from '@temporalio/worker';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FAILURE_CONVERTER_PATH } from '../lib/data-converter';
import { createLogger } from '../lib/logger';
import { installTemporalRuntime } from '../worker/temporal-runtime';
import { HISTORIES_DIR, recordedWorkflowId } from '../test/support/record-history';
import { bundleOnboardingWorkflows } from '../worker/workflow-bundle';

/**
 * What the workflow code costs, apart from any server or database: the process's CPU per replay of a
 * recorded history (test/fixtures/histories), replayed n times in a row, in rounds after one unmeasured.
 * `node -r ./scripts/register-ts.js bench/replay-cost.ts [HISTORY] [N] [ROUNDS]`. A replay runs every
 * line of workflow code the live run ran, so a change to the workflows reads here without the noise
 * of a live run. With NODE_OPTIONS="-r ./bench/preloads/no-promise-hook.js" it reads without the
 * SDK's promise hook; REPLAY_STACK_LIMIT=N sets the sandbox's Error.stackTraceLimit (docs/performance.md).
 */
async function main(): Promise<void> {
  const [name = 'onboarding-completed-after-wrong-credentials', n = '40', rounds = '5'] = process.argv.slice(2);
  installTemporalRuntime(createLogger({ level: 'silent' }));
  const { code } = await bundleOnboardingWorkflows();
  const codePath = path.join(await mkdtemp(path.join(os.tmpdir(), 'replay-cost-')), 'workflows.js');
  // One line ahead of the bundle: its source map is a line off, and is looked up all the same.
  const limit = process.env.REPLAY_STACK_LIMIT;
  await writeFile(codePath, limit ? `Error.stackTraceLimit = ${Number(limit)};\n${code}` : code);

  const text = await readFile(path.join(HISTORIES_DIR, `${name}.json`), 'utf8');
  const history: unknown = JSON.parse(text);
  const workflowId = recordedWorkflowId(text) ?? name;
  const replayAll = async () => {
    const histories = Array.from({ length: Number(n) }, () => ({ workflowId, history }));
    const options = { workflowBundle: { codePath }, dataConverter: { failureConverterPath: FAILURE_CONVERTER_PATH } };
    for await (const result of Worker.runReplayHistories(options, histories)) if (result.error) throw result.error;
  };

  await replayAll();
  for (let round = 0; round < Number(rounds); round++) {
    const before = process.cpuUsage();
    const startedAt = Date.now();
    await replayAll();
    const { user, system } = process.cpuUsage(before);
    const cpuMs = (user + system) / 1000 / Number(n);
    const wallMs = (Date.now() - startedAt) / Number(n);
    console.log(`${name}: ${cpuMs.toFixed(1)} ms CPU per replay (${wallMs.toFixed(1)} ms wall)`);
  }
}

void main();
