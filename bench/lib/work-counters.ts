import type { ChildProcess } from 'node:child_process';
import { Client } from 'pg';

/** What a bench process counts of its own work, read by the bench over IPC. */
export interface WorkCounters {
  /** Statements sent to PostgreSQL (each a round trip), by every pool and client of the process. */
  statements: number;
}

const ASK = 'gangway-bench:work-counters';

/**
 * In a bench process: counts every statement its pg clients send (pg's Pool sends through them), and
 * answers the bench's question over IPC. Measurement only, in the bench's processes, never the product's.
 */
export function installWorkCounters(): void {
  const counters: WorkCounters = { statements: 0 };
  const proto = Client.prototype as unknown as { query: (this: Client, ...args: unknown[]) => unknown };
  const query = proto.query;
  proto.query = function (this: Client, ...args: unknown[]) {
    counters.statements++;
    return query.apply(this, args);
  };
  process.on('message', (message) => {
    if (message === ASK) process.send?.({ [ASK]: { ...counters } });
  });
}

/** The counters of a bench process started with an IPC channel (bench/lib/child.ts). */
export function readWorkCounters(child: ChildProcess): Promise<WorkCounters> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the bench process did not answer for its counters')), 10_000);
    const onMessage = (message: unknown) => {
      const counters = (message as Record<string, WorkCounters> | null)?.[ASK];
      if (!counters) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(counters);
    };
    child.on('message', onMessage);
    child.send(ASK);
  });
}
