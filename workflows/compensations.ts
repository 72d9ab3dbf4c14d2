import { log } from '@temporalio/workflow';

/**
 * Undo steps pushed right after each step succeeds and run in reverse on cancellation, rejection or
 * failure. A failing undo is logged and the rest still run: half an undo is worse than a logged one.
 */
export class Compensations {
  private readonly stack: { name: string; undo: () => Promise<void> }[] = [];

  push(name: string, undo: () => Promise<void>): void {
    this.stack.push({ name, undo });
  }

  async runAll(): Promise<void> {
    while (this.stack.length > 0) {
      const { name, undo } = this.stack.pop()!;
      try {
        await undo();
      } catch (err) {
        log.error('compensation failed; continuing with the rest', { step: name, error: (err as Error).message });
      }
    }
  }
}
