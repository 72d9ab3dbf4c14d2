import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * `npm run screenshots`: refreshes docs/screenshots/ (the console's list and onboarding page, the inbox)
 * by running the two page tests with UPDATE_SCREENSHOTS=1. They drive the real stack (Temporal dev
 * server, PostgreSQL, worker, API) in headless Chromium, so the pictures show what the tests assert.
 */
const root = path.join(__dirname, '..');
mkdirSync(path.join(root, 'docs', 'screenshots'), { recursive: true });
const jest = spawnSync(
  process.execPath,
  [
    require.resolve('jest/bin/jest'),
    '--runInBand',
    'test/integration/console.test.ts',
    'test/integration/inbox.test.ts',
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, UPDATE_SCREENSHOTS: '1' } },
);
process.exitCode = jest.status ?? 1;
