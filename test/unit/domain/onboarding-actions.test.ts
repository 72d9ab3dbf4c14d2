import {
  ACTION_REFUSED,
  initialView,
  RuleRefusal,
  validateAmendment,
  validateResend,
  validateRetry,
  type ActionContext,
  type OnboardingInput,
} from '../../../domain';

const client = (id: string) => ({
  partnerProvidedId: id,
  name: `Client ${id}`,
  contactEmail: `it@${id}.example`,
  portalUrl: 'https://portal.example',
});
const input: OnboardingInput = {
  onboardingId: 'o-1',
  request: {
    tenant: { partnerProvidedId: 'acme', name: 'Acme', plan: 'TRADE' },
    integrationUser: { email: 'api@acme.example', integrationSystem: 'SAP', scope: 'TENANT', invoiceDataAccess: false },
    subscriptions: ['ORDER_MANAGEMENT'],
    clients: [client('waiting'), client('failed'), client('connected')],
    notify: { email: 'ops@acme.example' },
  },
  approverEmail: 'am@gw.example',
  startedBy: { userId: 'u-1', email: 'staff@gw.example' },
  policy: {} as OnboardingInput['policy'],
  approval: { stages: {}, techAmEmail: 'tam@gw.example', escalateTo: [] },
};

/** Collecting: one client waits for its link, one failed after a wrong submission, one connected. */
function collecting(closing = false): ActionContext {
  const view = initialView(input, 'onboarding-acme', '2026-12-01T00:00:00.000Z');
  view.status = 'AWAITING_CREDENTIALS';
  view.approvals[0].status = 'APPROVED';
  const [waiting, failed, connected] = view.clients;
  waiting.awaitingCredentials = true;
  Object.assign(failed, { connectivity: 'FAILED', attempts: 1 });
  Object.assign(connected, { connectivity: 'CONNECTED', attempts: 1 });
  return { view, request: input.request, closing };
}

function outcome(rule: () => void): string {
  try {
    rule();
    return 'ALLOWED';
  } catch (err) {
    if (err instanceof RuleRefusal) return err.type;
    throw err;
  }
}

const by = { requestedBy: 'staff@gw.example' };

describe('actions on a running onboarding', () => {
  it('resends only a collector link that waits, and approval requests only while one is pending', () => {
    const ctx = collecting();
    expect(outcome(() => validateResend(ctx, { kind: 'COLLECTOR', client: 'waiting', ...by }))).toBe('ALLOWED');
    expect(outcome(() => validateResend(ctx, { kind: 'COLLECTOR', client: 'connected', ...by }))).toBe(
      ACTION_REFUSED.nothingToResend,
    );
    expect(outcome(() => validateResend(ctx, { kind: 'COLLECTOR', client: 'nobody', ...by }))).toBe(
      ACTION_REFUSED.unknownClient,
    );
    expect(outcome(() => validateResend(ctx, { kind: 'APPROVAL_REQUEST', ...by }))).toBe(
      ACTION_REFUSED.nothingToResend,
    );
    expect(outcome(() => validateResend(ctx, { kind: 'KIT', ...by }))).toBe(ACTION_REFUSED.nothingToResend);
  });

  it('retries only a FAILED client, and none once the onboarding is finishing', () => {
    expect(outcome(() => validateRetry(collecting(), { partnerProvidedId: 'failed', ...by }))).toBe('ALLOWED');
    expect(outcome(() => validateRetry(collecting(), { partnerProvidedId: 'waiting', ...by }))).toBe(
      ACTION_REFUSED.notFailed,
    );
    expect(outcome(() => validateRetry(collecting(true), { partnerProvidedId: 'failed', ...by }))).toBe(
      ACTION_REFUSED.finishing,
    );
  });

  it('amends a client until it submitted, and the notify address until the kit goes out', () => {
    const ctx = collecting();
    const amend = (change: object) => outcome(() => validateAmendment(ctx, { ...change, ...by }));
    expect(amend({ clients: [{ partnerProvidedId: 'waiting', contactEmail: 'new@x.example' }] })).toBe('ALLOWED');
    expect(amend({ clients: [{ partnerProvidedId: 'failed', contactEmail: 'new@x.example' }] })).toBe(
      ACTION_REFUSED.cannotChange,
    );
    expect(amend({ clients: [{ partnerProvidedId: 'nobody' }] })).toBe(ACTION_REFUSED.unknownClient);
    expect(amend({ notify: { email: 'new@acme.example' } })).toBe('ALLOWED');
    ctx.view.steps.find((s) => s.name === 'DELIVER_KIT')!.status = 'RUNNING';
    expect(amend({ notify: { email: 'new@acme.example' } })).toBe(ACTION_REFUSED.cannotChange);
    expect(amend({ notify: { webhookUrl: 'https://hooks.example' } })).toBe('ALLOWED');
  });
});
