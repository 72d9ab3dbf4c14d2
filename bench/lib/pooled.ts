import type { ThroughputRow } from '../scenarios/throughput';
import { fmt, median } from './stats';

/** A measured row of scenario 1 or 7, as the report and the cost model read it. */
export type Measured = Pick<ThroughputRow, 'n' | 'seconds' | 'cpu' | 'durationsMs' | 'taskTimeouts'>;

/**
 * The rows of one kind over their rounds, pooled: onboardings per second is all of them over all the
 * seconds, cores busy all the CPU over all the seconds, CPU per onboarding all the CPU over all of them
 * (means of per-round rates would weigh a slow round as much as a fast one).
 */
export function pooled(rows: Measured[]) {
  const n = rows.reduce((a, r) => a + r.n, 0);
  const seconds = rows.reduce((a, r) => a + r.seconds, 0);
  const sum = (f: (r: Measured) => number | undefined) =>
    rows.some((r) => f(r) === undefined) ? undefined : rows.reduce((a, r) => a + f(r)!, 0);
  return {
    rounds: rows.length,
    onboardings: n,
    rate: n / seconds,
    /** Cores busy: CPU seconds per wall second. */
    cores: (f: (r: Measured) => number | undefined) => {
      const cpu = sum(f);
      return cpu === undefined || rows.length === 0 ? 'n/a' : fmt(cpu / seconds, 2);
    },
    /** CPU ms per onboarding. */
    ms: (f: (r: Measured) => number | undefined) => {
      const cpu = sum(f);
      return cpu === undefined || rows.length === 0 ? NaN : (cpu * 1000) / n;
    },
    p50: median(rows.flatMap((r) => r.durationsMs)),
    taskTimeouts: rows.some((r) => r.taskTimeouts === undefined) ? 'n/a' : String(sum((r) => r.taskTimeouts)),
  };
}
