import { readFileSync } from 'node:fs';

/**
 * What parked workflows hold in the V8 heap: the difference between two heap snapshots of one thread
 * (BENCH_HEAP_SNAPSHOTS, taken before and after parking), by node type and by constructor or
 * function name, per parked workflow. Self sizes only: it says what kinds of objects there are more
 * of, not who retains them.
 *
 *   node --max-old-space-size=8192 -r ./scripts/register-ts.js bench/heap-summary.ts BEFORE AFTER N [TOP]
 */
interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

function census(file: string): Map<string, { bytes: number; count: number }> {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = s.snapshot.meta.node_fields;
  const [types] = s.snapshot.meta.node_types;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const out = new Map<string, { bytes: number; count: number }>();
  for (let i = 0; i < s.nodes.length; i += fields.length) {
    const type = types[s.nodes[i + typeAt]];
    // Strings are grouped as one kind: their text is data, not a shape.
    const name =
      type === 'string' || type === 'concatenated string' || type === 'sliced string'
        ? ''
        : s.strings[s.nodes[i + nameAt]].slice(0, 60);
    const key = `${type}\t${name}`;
    const entry = out.get(key) ?? { bytes: 0, count: 0 };
    entry.bytes += s.nodes[i + sizeAt];
    entry.count += 1;
    out.set(key, entry);
  }
  return out;
}

function main(): void {
  const [beforeFile, afterFile, nArg, topArg] = process.argv.slice(2);
  if (!beforeFile || !afterFile || !nArg) throw new Error('usage: heap-summary.ts BEFORE AFTER N [TOP]');
  const n = Number(nArg);
  const [before, after] = [census(beforeFile), census(afterFile)];
  const diff = [...after].map(([key, a]) => {
    const b = before.get(key) ?? { bytes: 0, count: 0 };
    return { key, bytes: a.bytes - b.bytes, count: a.count - b.count };
  });
  const byType = new Map<string, number>();
  for (const d of diff) {
    const [type] = d.key.split('\t');
    byType.set(type, (byType.get(type) ?? 0) + d.bytes);
  }
  const total = diff.reduce((sum, d) => sum + d.bytes, 0);
  const kib = (bytes: number) => (bytes / 1024 / n).toFixed(2);
  process.stdout.write(
    `heap growth ${kib(total)} KiB per parked workflow (${(total / 1048576).toFixed(1)} MiB over ${n})\n\nby node type (KiB per parked):\n`,
  );
  for (const [type, bytes] of [...byType].sort((x, y) => y[1] - x[1]).slice(0, 12))
    process.stdout.write(`  ${type.padEnd(20)} ${kib(bytes)}\n`);
  process.stdout.write(`\ntop kinds (KiB per parked, objects per parked):\n`);
  for (const d of diff.sort((x, y) => y.bytes - x.bytes).slice(0, Number(topArg ?? 30))) {
    const [type, name] = d.key.split('\t');
    process.stdout.write(`  ${kib(d.bytes).padStart(7)}  ${(d.count / n).toFixed(1).padStart(6)}  ${type}  ${name}\n`);
  }
}

main();
