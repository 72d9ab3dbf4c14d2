import { performance } from 'node:perf_hooks';

/**
 * The phases of one request, for its Server-Timing header (W3C): where a start spends its time is
 * visible to any client and to the bench (BENCHMARKS.md, scenario 2), with no log to dig through.
 */
export class ServerTiming {
  private readonly phases: Array<{ name: string; ms: number }> = [];
  private last = performance.now();

  /** Ends the current phase under this name; the next one starts now. */
  lap(name: string): void {
    const now = performance.now();
    this.phases.push({ name, ms: now - this.last });
    this.last = now;
  }

  header(): string {
    return this.phases.map((p) => `${p.name};dur=${p.ms.toFixed(1)}`).join(', ');
  }
}
