import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

/**
 * The fault suite (faults/run.ts) at small N: every fault once (API and worker SIGKILLed, PostgreSQL
 * restarted, the Temporal server SIGKILLed and restarted on its file, a receiver answering 503 at
 * first), on processes of its own. It exits 0 only when nothing is lost, stuck or made twice and
 * every request during an outage was answered 503 rather than 410, 404 or 500.
 */
describe('fault suite, small', () => {
  it('passes with 8 onboardings through all four faults', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gangway-faults-smoke-'));
    const out = path.join(dir, 'report.json');
    try {
      const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
        execFile(
          process.execPath,
          [
            '-r',
            path.join(ROOT, 'scripts', 'register-ts.js'),
            path.join(ROOT, 'faults', 'run.ts'),
            '--n',
            '8',
            '--out',
            out,
          ],
          {
            cwd: ROOT,
            maxBuffer: 16 * 1024 * 1024,
            env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
          },
          (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, output: `${stdout}${stderr}` }),
        );
      });
      if (code !== 0) throw new Error(`faults exited ${code}:\n${output}`);
      const report = JSON.parse(await readFile(out, 'utf8'));
      expect(report.violations).toEqual([]);
      expect(report.statuses).toEqual({ COMPLETED: 8 });
      expect(
        report.probes
          .filter((p: { outage: string }) => p.outage === 'PostgreSQL')
          .map((p: { status: number }) => p.status),
      ).toEqual(expect.arrayContaining([503]));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
