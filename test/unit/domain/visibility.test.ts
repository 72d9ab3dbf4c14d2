import {
  currentStepOf,
  initialView,
  onboardingDetails,
  onboardingStaticDetails,
  onboardingSummary,
  searchAttributesOf,
  type OnboardingInput,
  type OnboardingView,
  type StepName,
  type StepStatus,
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
  approval: { stages: {}, techAmEmail: null, escalateTo: [] },
};

function viewWith(status: OnboardingView['status'], steps: Partial<Record<StepName, StepStatus>>): OnboardingView {
  const view = initialView(input, 'onboarding-acme', '2026-12-01T00:00:00.000Z');
  view.status = status;
  for (const step of view.steps) step.status = steps[step.name] ?? step.status;
  return view;
}

describe("what Temporal's UI shows of an onboarding", () => {
  it('the current step is the one running, else the next to run, else the one it ended on', () => {
    expect(currentStepOf(viewWith('RUNNING', {}))).toBe('CREATE_TENANT');
    expect(currentStepOf(viewWith('RUNNING', { CREATE_TENANT: 'DONE', CREATE_INTEGRATION_USER: 'RUNNING' }))).toBe(
      'CREATE_INTEGRATION_USER',
    );
    const done: Partial<Record<StepName, StepStatus>> = {
      CREATE_TENANT: 'DONE',
      CREATE_INTEGRATION_USER: 'DONE',
      ISSUE_CLIENT_CREDENTIALS: 'DONE',
    };
    expect(currentStepOf(viewWith('RUNNING', done))).toBe('REQUEST_APPROVAL');
    expect(
      currentStepOf(
        viewWith('CANCELLED', { ...done, ISSUE_CLIENT_CREDENTIALS: 'COMPENSATED', REQUEST_APPROVAL: 'SKIPPED' }),
      ),
    ).toBe('ISSUE_CLIENT_CREDENTIALS');
  });

  it('the search attributes, summary and details name the process, never a person or an address', () => {
    const view = viewWith('AWAITING_APPROVAL', { CREATE_TENANT: 'DONE', REQUEST_APPROVAL: 'RUNNING' });
    view.reason = 'cancelled by staff@gw.example: duplicate';
    view.steps[0].detail = 'mail to ops@acme.example bounced';
    expect(searchAttributesOf(view)).toEqual({
      OnboardingStatus: 'AWAITING_APPROVAL',
      PartnerProvidedId: 'acme',
      CurrentStep: 'REQUEST_APPROVAL',
    });
    const details = onboardingDetails(view);
    expect(details).toContain('**AWAITING_APPROVAL** at REQUEST_APPROVAL');
    expect(details).toContain('✓ CREATE_TENANT DONE');
    expect(details).toContain('Awaiting approval: ORDER_MANAGEMENT, INVOICING');
    expect(onboardingSummary(input)).toBe('Onboarding Acme (acme): ORDER_MANAGEMENT, INVOICING; 0 client(s)');
    expect(onboardingStaticDetails(input)).toContain('**Subscriptions** ORDER_MANAGEMENT, INVOICING');
    expect(`${details}${onboardingSummary(input)}${onboardingStaticDetails(input)}`).not.toContain('@');
  });
});
