import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import v8 from 'node:v8';
import workerThreads from 'node:worker_threads';

/**
 * BENCH_HEAP_SNAPSHOTS=DIR: on SIGWINCH the process writes V8 heap snapshots of its main thread and of
 * every worker thread (the SDK runs workflows in one) to DIR as `PID-SEQ-THREAD.heapsnapshot`, then
 * `PID-SEQ.done`. Worker threads are tracked by wrapping worker_threads.Worker before the SDK creates
 * them (it looks the constructor up at that moment); so this must run before Worker.create. SIGWINCH,
 * because the SDK's Runtime shuts the worker down on SIGUSR2, and a process without this ignores it.
 */
export function installHeapSnapshots(dir: string): void {
  const threads = new Set<workerThreads.Worker>();
  const Original = workerThreads.Worker;
  workerThreads.Worker = class TrackedWorker extends Original {
    constructor(...args: ConstructorParameters<typeof Original>) {
      super(...args);
      threads.add(this);
      this.once('exit', () => threads.delete(this));
    }
  };
  let seq = 0;
  process.on('SIGWINCH', () => {
    const n = seq++;
    const file = (thread: string) => path.join(dir, `${process.pid}-${n}-${thread}.heapsnapshot`);
    void (async () => {
      let i = 0;
      for (const thread of threads)
        await pipeline(await thread.getHeapSnapshot(), createWriteStream(file(`thread${i++}`)));
      v8.writeHeapSnapshot(file('main'));
      await writeFile(path.join(dir, `${process.pid}-${n}.done`), '');
    })().catch((err) => process.stderr.write(`heap snapshot failed: ${(err as Error).stack}\n`));
  });
}
