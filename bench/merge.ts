import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { latencyPlot, renderReport, type BenchResults } from './report';

/**
 * Folds a later, partial run into the repository's results, for a scenario too long to rerun with the
 * rest (scenario 5 at 10,000 takes most of an hour), or one that runs on the real Temporal server
 * (`--temporal cluster`: scenario 1 there beside the dev server, and the scale-out):
 *
 *   npm run bench -- --scenarios 5 --parked 10000 --burst-budget 3600 --out /tmp/s5
 *   node -r ./scripts/register-ts.js bench/merge.ts /tmp/s5
 *
 * (`bench/merge.ts --render` draws BENCHMARKS.md again from the results alone, after a change to the report.)
 *
 * The later run's rows replace the same rows (parked: by N and variant; work per onboarding: by code and
 * variant, the others kept, so that before and after stand side by side; the real server's scenario 1
 * with its dev-server reference as a pair, and its scale-out; any other section whole), its
 * command and date are listed under the header, failures it measured past are dropped, and
 * BENCHMARKS.md is rendered again from the merged results alone: it is generated whole, and the
 * hand-written analysis lives in docs/performance.md, which neither a run nor a merge touches.
 */
const ROOT = path.join(__dirname, '..');
const SECTIONS = [
  'census',
  'throughput',
  'tuning',
  'startLatency',
  'startPhases',
  'decision',
  'readPath',
  'coldStart',
] as const;

async function main(): Promise<void> {
  const from = process.argv[2];
  if (!from) throw new Error('usage: bench/merge.ts RUN_DIR (the --out of the later run) | --render');
  const resultsFile = path.join(ROOT, 'bench', 'results', 'results.json');
  const reportFile = path.join(ROOT, 'BENCHMARKS.md');
  const base = JSON.parse(await readFile(resultsFile, 'utf8')) as BenchResults;
  // `--render`: the report drawn again from the results as they are, after a change to how it is drawn.
  if (from === '--render') {
    await writeFile(reportFile, `${renderReport(base)}\n`);
    await writeFile(path.join(ROOT, 'bench', 'results', 'latency.svg'), latencyPlot(base));
    return;
  }
  const later = JSON.parse(await readFile(path.join(from, 'bench', 'results', 'results.json'), 'utf8')) as BenchResults;

  const measured: string[] = [];
  for (const key of SECTIONS) {
    if (later[key] === undefined) continue;
    (base as unknown as Record<string, unknown>)[key] = later[key];
    measured.push(key);
  }
  if (later.cluster) {
    const cluster = (base.cluster ??= { server: later.cluster.server });
    cluster.server = later.cluster.server || cluster.server;
    // Scenario 1 on both servers is one comparison: its two halves are replaced together.
    if (later.cluster.throughput || later.cluster.devServer) {
      cluster.throughput = later.cluster.throughput;
      cluster.devServer = later.cluster.devServer;
      measured.push('scenario 1 on the real Temporal server and on the dev server');
    }
    if (later.cluster.scaleOut) {
      cluster.scaleOut = later.cluster.scaleOut;
      measured.push('scale-out on the real Temporal server');
    }
  }
  // Scenario 8 keeps every code measured, oldest first: a later row for the same code and variant replaces it.
  if (later.work?.length) {
    const replaced = (row: { label: string; variant: string }) =>
      later.work!.some((x) => x.label === row.label && x.variant === row.variant);
    base.work = [...(base.work ?? []).filter((row) => !replaced(row)), ...later.work];
    measured.push(`work per onboarding (${[...new Set(later.work.map((x) => x.label))].join(', ')})`);
  }
  const laterParked = later.parked ?? [];
  const same = (a: { n: number; variant: string }, b: { n: number; variant: string }) =>
    a.n === b.n && a.variant === b.variant;
  base.parked = [...(base.parked ?? []).filter((row) => !laterParked.some((x) => same(x, row))), ...laterParked].sort(
    (a, b) => a.n - b.n || a.variant.localeCompare(b.variant),
  );
  const sizes = [...new Set(laterParked.map((x) => x.n))];
  measured.push(
    ...sizes.map(
      (n) =>
        `scenario 5 at ${n} (${laterParked
          .filter((x) => x.n === n)
          .map((x) => x.variant)
          .join(' and ')})`,
    ),
  );
  if (measured.length === 0) throw new Error(`${from} holds no results to merge`);

  // A failure the later run measured past no longer stands; the later run's own failures do.
  const measuredPast = (failure: string) =>
    sizes.some((n) => failure.startsWith(`5. ${n} parked`)) ||
    (later.cluster?.throughput !== undefined && /^(1\. throughput on the dev server|the real server):/.test(failure)) ||
    (later.cluster?.scaleOut !== undefined && failure.startsWith('7. scale-out'));
  base.failures = [
    ...(base.failures ?? []).filter((f) => !measuredPast(f)),
    ...(later.failures ?? []).map((f) => `${f} (later run, ${later.meta.date})`),
  ];
  (base.meta.supplements ??= []).push({
    command: later.meta.command,
    date: later.meta.date,
    machine: later.meta.machine,
    sqlite: later.meta.sqlite,
    ...(later.meta.temporal ? { temporal: later.meta.temporal } : {}),
    measured,
  });

  await writeFile(resultsFile, `${JSON.stringify(base, null, 2)}\n`);
  await writeFile(reportFile, `${renderReport(base)}\n`);
  await writeFile(path.join(ROOT, 'bench', 'results', 'latency.svg'), latencyPlot(base));
  process.stderr.write(`merged ${measured.join('; ')} from ${from}\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
