import {
  assertTransition,
  FINAL_STATUSES,
  moveStep,
  OPEN_STATUSES,
  statusWhileCollecting,
  type PortalClientView,
  type StepView,
} from '../../../domain';

const client = (awaitingCredentials: boolean): PortalClientView => ({
  partnerProvidedId: 'c',
  connectivity: 'PENDING',
  attempts: 0,
  checks: 0,
  lastCheckedAt: null,
  lastError: null,
  awaitingCredentials,
});

describe('the onboarding status machine', () => {
  it('lets an open onboarding move anywhere and a final one nowhere', () => {
    for (const from of OPEN_STATUSES)
      for (const to of [...OPEN_STATUSES, ...FINAL_STATUSES]) expect(() => assertTransition(from, to)).not.toThrow();
    for (const from of FINAL_STATUSES)
      expect(() => assertTransition(from, 'RUNNING')).toThrow(`an onboarding that is ${from} cannot become RUNNING`);
  });

  it('awaits credentials while any client owes a submission, and verifies once none does', () => {
    expect(statusWhileCollecting([client(false), client(true)])).toBe('AWAITING_CREDENTIALS');
    expect(statusWhileCollecting([client(false), client(false)])).toBe('VERIFYING_CONNECTIVITY');
  });

  it('keeps a step’s first start when it runs again, and its detail until a new one is given', () => {
    const step: StepView = {
      name: 'COLLECT_CLIENT_CREDENTIALS',
      status: 'PENDING',
      startedAt: null,
      finishedAt: null,
      detail: null,
    };
    moveStep(step, 'RUNNING', null, 't1');
    moveStep(step, 'DONE', 'every client submitted', 't2');
    expect(step).toMatchObject({ status: 'DONE', startedAt: 't1', finishedAt: 't2', detail: 'every client submitted' });
    moveStep(step, 'RUNNING', null, 't3');
    expect(step).toMatchObject({
      status: 'RUNNING',
      startedAt: 't1',
      finishedAt: null,
      detail: 'every client submitted',
    });
    moveStep(step, 'DONE', null, 't4');
    expect(step).toMatchObject({ startedAt: 't1', finishedAt: 't4', detail: 'every client submitted' });
  });
});
