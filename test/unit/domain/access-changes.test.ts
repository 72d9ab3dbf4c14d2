import {
  decideAccessChange,
  DECISION_REFUSED,
  needsApproval,
  newAccessChange,
  RuleRefusal,
  validateAccessDecision,
  type AccessChangeView,
} from '../../../domain';

const asked = (from: boolean, to: boolean): AccessChangeView =>
  newAccessChange(
    {
      id: 'access-change-t-1-WSI_ACME-1',
      tenant: { tenantId: 't-1', partnerProvidedId: 'acme', name: 'Acme' },
      username: 'WSI_ACME',
      from,
      to,
      requestedBy: 'staff@gw.example',
      requestedAt: '2026-12-01T00:00:00.000Z',
      reason: null,
    },
    needsApproval(from, to) ? 'am@gw.example' : null,
  );

/** The rule's refusal type, or 'ALLOWED' when it lets the decision through. */
function outcome(view: AccessChangeView, decidedBy: string, decision: 'APPROVE' | 'REJECT' = 'APPROVE'): string {
  try {
    validateAccessDecision(view, { decision, decidedBy });
    return 'ALLOWED';
  } catch (err) {
    if (err instanceof RuleRefusal) return err.type;
    throw err;
  }
}

describe('invoice access changes', () => {
  it('applies a narrowing at once and keeps a widening PENDING for its approver', () => {
    expect(asked(true, false)).toMatchObject({ status: 'APPLIED', approval: null, appliedAt: expect.any(String) });
    expect(asked(false, true)).toMatchObject({
      status: 'PENDING',
      appliedAt: null,
      approval: { status: 'PENDING', approverEmail: 'am@gw.example', decisions: [] },
    });
  });

  it('lets only the assigned approver decide, never the one who asked, and nobody decide a narrowing', () => {
    const view = asked(false, true);
    expect(outcome(view, 'AM@gw.example')).toBe('ALLOWED');
    expect(outcome(view, 'other@gw.example')).toBe(DECISION_REFUSED.notAssigned);
    view.approval!.approverEmail = 'staff@gw.example';
    expect(outcome(view, 'staff@gw.example')).toBe(DECISION_REFUSED.ownOnboarding);
    expect(outcome(asked(true, false), 'am@gw.example')).toBe(DECISION_REFUSED.notAwaitingApproval);
  });

  it('records one decision: the same answer again is let through, another is a conflict', () => {
    const view = asked(false, true);
    expect(decideAccessChange(view, { decision: 'REJECT', decidedBy: 'am@gw.example', comment: 'no' }, 'now')).toBe(
      true,
    );
    expect(view).toMatchObject({ status: 'REJECTED', approval: { status: 'REJECTED', decidedBy: 'am@gw.example' } });
    expect(outcome(view, 'am@gw.example', 'REJECT')).toBe('ALLOWED');
    expect(outcome(view, 'am@gw.example', 'APPROVE')).toBe(DECISION_REFUSED.alreadyDecided);
    expect(decideAccessChange(view, { decision: 'APPROVE', decidedBy: 'am@gw.example' }, 'later')).toBe(false);
    expect(view.approval!.decisions).toHaveLength(1);
  });
});
