import {
  DECISION_REFUSED,
  initialView,
  RuleRefusal,
  validateDecision,
  validateDelegate,
  validateReassign,
  type OnboardingInput,
  type OnboardingView,
} from '../../../domain';

const input: OnboardingInput = {
  onboardingId: 'o-1',
  request: {
    tenant: { partnerProvidedId: 'acme', name: 'Acme', plan: 'TRADE' },
    integrationUser: { email: 'api@acme.example', integrationSystem: 'SAP', scope: 'TENANT', invoiceDataAccess: false },
    subscriptions: ['ORDER_MANAGEMENT', 'INVOICING'],
    clients: [],
    notify: { email: 'ops@acme.example' },
  },
  approverEmail: 'am@gw.example',
  startedBy: { userId: 'u-1', email: 'staff@gw.example' },
  policy: {} as OnboardingInput['policy'],
  approval: { stages: { INVOICING: ['AM', 'TECH_AM'] }, techAmEmail: 'tam@gw.example', escalateTo: [] },
};

function awaitingApproval(): OnboardingView {
  const view = initialView(input, 'onboarding-acme', '2026-12-01T00:00:00.000Z');
  view.status = 'AWAITING_APPROVAL';
  return view;
}

/** The rule's refusal type, or 'ALLOWED' when it lets the request through. */
function outcome(rule: () => void): string {
  try {
    rule();
    return 'ALLOWED';
  } catch (err) {
    if (err instanceof RuleRefusal) return err.type;
    throw err;
  }
}

describe('approval rules', () => {
  it('lets the assigned approver or their delegate decide, case-insensitively, and nobody else', () => {
    const view = awaitingApproval();
    const decide = (decidedBy: string) =>
      outcome(() => validateDecision(view, { subscription: 'ORDER_MANAGEMENT', decision: 'APPROVE', decidedBy }));
    expect(decide('AM@gw.example')).toBe('ALLOWED');
    expect(decide('other@gw.example')).toBe(DECISION_REFUSED.notAssigned);
    view.approvals[0].delegateEmail = 'deputy@gw.example';
    expect(decide('deputy@gw.example')).toBe('ALLOWED');
  });

  it('refuses whoever started the onboarding, even as its approver', () => {
    const view = awaitingApproval();
    view.approvals[0].approverEmail = 'staff@gw.example';
    expect(
      outcome(() =>
        validateDecision(view, {
          subscription: 'ORDER_MANAGEMENT',
          decision: 'APPROVE',
          decidedBy: 'staff@gw.example',
        }),
      ),
    ).toBe(DECISION_REFUSED.ownOnboarding);
  });

  it('answers a repeated decision with the first, and a different one with a conflict', () => {
    const view = awaitingApproval();
    const approval = view.approvals[0];
    approval.decisions = [
      {
        stage: 'AM',
        decision: 'APPROVE',
        decidedBy: 'am@gw.example',
        decidedAt: '2026-12-01T00:00:01.000Z',
        comment: null,
      },
    ];
    approval.status = 'APPROVED';
    const decide = (decision: 'APPROVE' | 'REJECT') =>
      outcome(() => validateDecision(view, { subscription: 'ORDER_MANAGEMENT', decision, decidedBy: 'am@gw.example' }));
    expect(decide('APPROVE')).toBe('ALLOWED');
    expect(decide('REJECT')).toBe(DECISION_REFUSED.alreadyDecided);
  });

  it('refuses a subscription that was not requested, and any decision once the onboarding has moved on', () => {
    const view = awaitingApproval();
    expect(
      outcome(() =>
        validateDecision(view, {
          subscription: 'CONTROL_TOWER_ORDERS',
          decision: 'APPROVE',
          decidedBy: 'am@gw.example',
        }),
      ),
    ).toBe(DECISION_REFUSED.unknownSubscription);
    view.status = 'CANCELLED';
    expect(
      outcome(() =>
        validateDecision(view, { subscription: 'ORDER_MANAGEMENT', decision: 'APPROVE', decidedBy: 'am@gw.example' }),
      ),
    ).toBe(DECISION_REFUSED.notAwaitingApproval);
  });

  it('reassigns only an open task, and never to its starter, its approver or an earlier stage’s decider', () => {
    const view = awaitingApproval();
    const reassign = (to: string) =>
      outcome(() =>
        validateReassign(view, { subscription: 'INVOICING', to, reason: 'away', requestedBy: 'admin@gw.example' }),
      );
    expect(reassign('am2@gw.example')).toBe('ALLOWED');
    expect(reassign('staff@gw.example')).toBe(DECISION_REFUSED.invalidAssignee);
    expect(reassign('am@gw.example')).toBe(DECISION_REFUSED.invalidAssignee);
    view.approvals[1].decisions = [
      { stage: 'AM', decision: 'APPROVE', decidedBy: 'am@gw.example', decidedAt: 'x', comment: null },
    ];
    view.approvals[1].approverEmail = 'tam@gw.example';
    expect(reassign('am@gw.example')).toBe(DECISION_REFUSED.invalidAssignee);
    view.approvals[1].status = 'APPROVED';
    expect(reassign('am2@gw.example')).toBe(DECISION_REFUSED.alreadyDecided);
  });

  it('lets only the assigned approver delegate, and not twice to the same person', () => {
    const view = awaitingApproval();
    const delegate = (requestedBy: string, to: string) =>
      outcome(() => validateDelegate(view, { subscription: 'ORDER_MANAGEMENT', to, reason: 'holiday', requestedBy }));
    expect(delegate('other@gw.example', 'deputy@gw.example')).toBe(DECISION_REFUSED.notAssigned);
    expect(delegate('am@gw.example', 'deputy@gw.example')).toBe('ALLOWED');
    view.approvals[0].delegateEmail = 'deputy@gw.example';
    expect(delegate('am@gw.example', 'deputy@gw.example')).toBe(DECISION_REFUSED.invalidAssignee);
  });
});
