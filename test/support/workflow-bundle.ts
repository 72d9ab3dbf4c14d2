import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bundleOnboardingWorkflows } from '../../worker/workflow-bundle';

export const BUNDLE_ENV = 'GANGWAY_TEST_WORKFLOW_BUNDLE';

/** Bundling takes seconds: done once per run, and each test file's worker loads the file. */
export async function buildTestWorkflowBundle(): Promise<string> {
  const { code } = await bundleOnboardingWorkflows();
  const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'gangway-bundle-')), 'workflows.js');
  await writeFile(file, code);
  return file;
}

export function testWorkflowBundle(): { codePath: string } | undefined {
  const codePath = process.env[BUNDLE_ENV];
  return codePath ? { codePath } : undefined;
}
