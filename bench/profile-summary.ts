import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

/**
 * Self time in a V8 .cpuprofile, by function or by package:
 * `node -r ./scripts/register-ts.js bench/profile-summary.ts FILE [N] [--from S --to S] [--per COUNT] [--by package|caller]`.
 * `--from`/`--to` keep the samples of one phase (seconds since the profile began; `--timeline` prints the busy
 * milliseconds of each second, to find the phases), and `--per` divides by what the phase served (requests,
 * onboardings), so that two processes' profiles read in microseconds per request side by side.
 * `--by caller` charges each sample to the nearest of our own files on its stack (the library code it ran
 * for that file included), or to its package when none of ours is on it: what each of our modules costs whole.
 */
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const timeline = args.includes('--timeline') && args.splice(args.indexOf('--timeline'), 1).length > 0;
const from = Number(option('from') ?? 0);
const to = Number(option('to') ?? Infinity);
const per = option('per');
const by = option('by');
const [file, top = '25'] = args;

const shortUrl = (url: string) => url.replace(/.*node_modules\//, '~/').replace(/.*\/work\/[^/]+\//, '');
const functionOf = ({ functionName, url, lineNumber }: Node['callFrame']) =>
  `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber}`;
/** An npm package, a Node.js module, one of our files, or V8's own entry ((garbage collector), a native call). */
function packageOf({ functionName, url }: Node['callFrame']): string {
  if (!url) return functionName.startsWith('(') ? functionName : `(native) ${functionName}`;
  const npm = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (npm) return npm[1];
  if (url.startsWith('node:'))
    return url
      .replace(/^node:(internal\/)?/, 'node:')
      .split('/')
      .slice(0, 2)
      .join('/');
  return shortUrl(url);
}

/** Our own code: a file of this checkout, built or not, outside node_modules and the bench. */
const checkout = resolve(__dirname, '..');
const isOurs = (url: string) =>
  url.includes(checkout) && !url.includes('/node_modules/') && !url.includes(`${checkout}/bench/`);

/** The file of the nearest frame of ours on a sample's stack, else the package the sample ran in. */
function callerOf(start: Node, parentOf: Map<number, Node>): string {
  for (let node: Node | undefined = start; node; node = parentOf.get(node.id)) {
    const { url } = node.callFrame;
    if (isOurs(url)) return url.slice(url.indexOf(checkout) + checkout.length + 1).replace(/^dist\//, '');
  }
  return `(no caller of ours) ${packageOf(start.callFrame)}`;
}

async function main(): Promise<void> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, Node>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node);
  const self = new Map<string, number>();
  const perSecond = new Map<number, number>();
  let atUs = 0;
  profile.samples.forEach((id, i) => {
    const deltaUs = profile.timeDeltas[i] ?? 0;
    atUs += deltaUs;
    const node = byId.get(id)!;
    const frame = node.callFrame;
    const second = atUs / 1e6;
    if (frame.functionName === '(idle)' || second < from || second >= to) return;
    const key = by === 'package' ? packageOf(frame) : by === 'caller' ? callerOf(node, parentOf) : functionOf(frame);
    self.set(key, (self.get(key) ?? 0) + deltaUs);
    perSecond.set(Math.floor(second), (perSecond.get(Math.floor(second)) ?? 0) + deltaUs);
  });
  if (timeline) {
    console.log([...perSecond].map(([s, us]) => `${s}:${(us / 1000).toFixed(0)}`).join(' '));
    return;
  }
  const busy = [...self.values()].reduce((a, b) => a + b, 0);
  const divisor = per ? Number(per) : undefined;
  console.log(
    `busy ${(busy / 1000).toFixed(0)} ms${divisor ? `, ${(busy / divisor).toFixed(0)} µs for each of ${per}` : ''}`,
  );
  for (const [key, us] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
    const amount = divisor ? `${(us / divisor).toFixed(1).padStart(7)} µs` : `${(us / 1000).toFixed(0).padStart(6)} ms`;
    console.log(`${((100 * us) / busy).toFixed(1).padStart(5)}%  ${amount}  ${key}`);
  }
}
void main();
