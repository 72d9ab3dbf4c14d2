import type { ChildProcess } from 'node:child_process';
import { Client } from 'pg';

/** What a bench process counts of its own work, read by the bench over IPC. */
export interface WorkCounters {
  /** Statements sent to PostgreSQL (each a round trip), by every pool and client of the process. */
  statements: number;
  /** The same, by the statement's first words (BENCH_STATEMENT_KINDS=1 only: measuring what to cut). */
  byKind?: Record<string, number>;
}

const ASK = 'gangway-bench:work-counters';

/**
 * In a bench process: counts every statement its pg clients send (pg's Pool sends through them), and
 * answers the bench's question over IPC. Measurement only, in the bench's processes, never the product's.
 */
export function installWorkCounters(): void {
  const counters: WorkCounters = { statements: 0, ...(process.env.BENCH_STATEMENT_KINDS ? { byKind: {} } : {}) };
  const proto = Client.prototype as unknown as { query: (this: Client, ...args: unknown[]) => unknown };
  const query = proto.query;
  proto.query = function (this: Client, ...args: unknown[]) {
    counters.statements++;
    if (counters.byKind) {
      const first = args[0] as string | { text?: string } | undefined;
      const text = (typeof first === 'string' ? first : (first?.text ?? '')).replace(/\s+/g, ' ').trim().slice(0, 90);
      counters.byKind[text] = (counters.byKind[text] ?? 0) + 1;
    }
    return query.apply(this, args);
  };
  process.on('message', (message) => {
    if (message === ASK) process.send?.({ [ASK]: { ...counters, byKind: counters.byKind && { ...counters.byKind } } });
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
