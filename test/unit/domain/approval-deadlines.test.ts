import { approvalDeadlines, type ApprovalView, type StepView } from '../../../domain';

const HOUR = 3_600_000;
const policy = { approvalEscalateAfterMs: 24 * HOUR, approvalExpireAfterMs: 72 * HOUR };
const asked = '2026-12-01T10:00:00.000Z';
const steps: StepView[] = [
  { name: 'REQUEST_APPROVAL', status: 'RUNNING', startedAt: asked, finishedAt: null, detail: null },
];
const task = (overrides: Partial<ApprovalView> = {}): ApprovalView => ({
  subscription: 'ORDER_MANAGEMENT',
  status: 'PENDING',
  approverEmail: 'am@example.com',
  decidedBy: null,
  decidedAt: null,
  comment: null,
  // The initial view is written before the approval step starts: the step's start is what counts.
  assignedAt: '2026-12-01T09:59:58.000Z',
  ...overrides,
});

describe('approvalDeadlines: the dates the inbox shows, as the supervision counts them', () => {
  it('counts escalation and expiry from the start of the approval step', () => {
    expect(approvalDeadlines(steps, task(), policy)).toEqual({
      escalatesAt: '2026-12-02T10:00:00.000Z',
      expiresAt: '2026-12-04T10:00:00.000Z',
    });
  });

  it('restarts the escalation clock at a hand-over, never the expiry', () => {
    expect(approvalDeadlines(steps, task({ assignedAt: '2026-12-02T08:00:00.000Z' }), policy)).toEqual({
      escalatesAt: '2026-12-03T08:00:00.000Z',
      expiresAt: '2026-12-04T10:00:00.000Z',
    });
  });

  it('has no escalation date once escalated, and no dates once decided or before the step', () => {
    expect(approvalDeadlines(steps, task({ escalatedTo: ['lead@example.com'] }), policy).escalatesAt).toBeNull();
    expect(approvalDeadlines(steps, task({ status: 'APPROVED' }), policy)).toEqual({
      escalatesAt: null,
      expiresAt: null,
    });
    expect(approvalDeadlines([], task(), policy)).toEqual({ escalatesAt: null, expiresAt: null });
  });
});
