/**
 * Work that runs beside the onboarding's main path (the decision mails to staff) and is joined
 * before the onboarding ends, so that nothing it started is abandoned with the workflow.
 */
export class Background {
  private readonly running: Promise<unknown>[] = [];

  add(work: Promise<unknown>): void {
    // A handler now keeps a rejection from counting as unhandled (which fails the workflow task)
    // until join() or settle() looks at it.
    work.catch(() => undefined);
    this.running.push(work);
  }

  /** Waits for all of it; the first failure is thrown. */
  async join(): Promise<void> {
    await Promise.all(this.running);
  }

  /** Waits for all of it, failures included: for an onboarding that is ending anyway. */
  async settle(): Promise<void> {
    await Promise.allSettled(this.running);
  }
}
