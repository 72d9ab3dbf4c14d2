import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * The benchmark harness, run tiny, so that it cannot rot: every scenario runs against its baselines
 * and lands in the report and the plot. It asserts no timings (performance is shown by the full run).
 */
describe('npm run bench -- --smoke', () => {
  let out: string;
  beforeAll(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), 'gangway-bench-smoke-'));
  });
  afterAll(() => rm(out, { recursive: true, force: true }));

  it('runs every scenario and writes BENCHMARKS.md, the plot and the raw results', async () => {
    const root = path.join(__dirname, '..', '..');
    await promisify(execFile)(
      process.execPath,
      ['-r', './scripts/register-ts.js', 'bench/run.ts', '--smoke', '--out', out],
      {
        cwd: root,
        maxBuffer: 16 * 1024 * 1024,
        timeout: 240_000,
      },
    );
    const report = await readFile(path.join(out, 'BENCHMARKS.md'), 'utf8');
    for (const heading of [
      '## 1. Sustained throughput',
      '## 2. Start',
      '## 3. Decision',
      '## 4. Read path',
      '## 5. Waiting at scale',
      '## 6. Cold start',
      '## 8. Work per onboarding',
    ]) {
      expect(report).toContain(heading);
    }
    const results = JSON.parse(await readFile(path.join(out, 'bench', 'results', 'results.json'), 'utf8'));
    expect(results.throughput.map((r: { variant: string }) => r.variant).sort()).toEqual([
      'B0',
      'B1',
      'B2',
      'B3',
      'B4',
      'ours',
    ]);
    expect(results.throughput.every((r: { perSecond: number }) => r.perSecond > 0)).toBe(true);
    // The dev server's own counters are read around each row: every onboarding costs it persistence and tasks.
    expect(
      results.throughput.every(
        (r: { server: { persistenceRequests: number; pollSuccess: number } }) =>
          r.server.persistenceRequests > 0 && r.server.pollSuccess > 0,
      ),
    ).toBe(true);
    expect(report).toContain('What the dev server did per onboarding');
    expect(results.startLatency.map((s: { workers: string }) => s.workers)).toEqual(['none', 'running']);
    expect(results.startLatency.every((s: { ours: { non2xx: number } }) => s.ours.non2xx === 0)).toBe(true);
    expect(Object.keys(results.startPhases.phases)).toEqual(['checks', 'insert', 'temporal']);
    expect(results.startPhases.phases.temporal.every((ms: number) => ms > 0)).toBe(true);
    expect(results.census.ours.workflowTasks).toBeGreaterThan(0);
    expect(results.work.map((w: { variant: string }) => w.variant)).toEqual(['ours', 'B2', 'B3', 'B4']);
    // B3 does ours' outside work and B2 none of it: the five mails and the portal login, per onboarding.
    const outside = (variant: string) => {
      const w = results.work.find((r: { variant: string }) => r.variant === variant);
      return { mails: w.mails, portalLogins: w.portalLogins };
    };
    expect(outside('ours')).toEqual({ mails: 5, portalLogins: 1 });
    expect(outside('B3')).toEqual({ mails: 5, portalLogins: 1 });
    expect(outside('B4')).toEqual({ mails: 5, portalLogins: 1 });
    expect(outside('B2')).toEqual({ mails: 0, portalLogins: 0 });
    expect(report).toContain('B3 is B2 with the work ours does outside Temporal and PostgreSQL');
    expect(report).toContain('B4 is B3 driven over HTTP as ours is');
    expect(results.work.every((w: { statements: number; events: number }) => w.statements > 0 && w.events > 0)).toBe(
      true,
    );
    expect(results.parked.map((r: { variant: string }) => r.variant)).toEqual(['B0', 'ours']);
    const svg = await readFile(path.join(out, 'bench', 'results', 'latency.svg'), 'utf8');
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('decision');
  }, 300_000);
});
