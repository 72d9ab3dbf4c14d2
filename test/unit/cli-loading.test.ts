import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.join(__dirname, '..', '..');

/** The packages a plain `node` process has loaded after requiring the CLI's entry module, from node_modules. */
async function packagesLoadedByTheCli(): Promise<string[]> {
  const script = `
    require('./cli/index.ts');
    const loaded = new Set();
    for (const file of Object.keys(require.cache)) {
      const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(file);
      if (m) loaded.add(m[1]);
    }
    process.stdout.write(JSON.stringify([...loaded]));`;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['-r', path.join(ROOT, 'scripts', 'register-ts.js'), '-e', script],
    { cwd: ROOT },
  );
  return JSON.parse(stdout) as string[];
}

/**
 * Every CLI command (`gangway approve`, `list`, `--help`) loads the CLI's module. The API's and the worker's
 * halves are loaded only by `gangway api` and `gangway worker` (cli/commands/processes.ts): loaded by every
 * command, they made each of them wait a second before it began.
 */
describe('the CLI', () => {
  it('loads neither the Temporal worker and client nor the HTTP server until a process command needs them', async () => {
    const loaded = await packagesLoadedByTheCli();
    expect(loaded).toContain('commander');
    for (const heavy of ['@temporalio/worker', '@temporalio/client', 'express', 'helmet', 'nodemailer'])
      expect(loaded).not.toContain(heavy);
  }, 30_000);
});
