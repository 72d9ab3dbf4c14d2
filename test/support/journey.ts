import type { PortalStub } from '../../scripts/portal-stub';
import { linkIn, startBody, type Stack } from './stack';

export interface Journey { id: string; workflowId: string; webhookSecret?: string; collectorTokens: string[]; view: any }

/**
 * One onboarding with one client, driven to COMPLETED through the API like people would: approve,
 * submit the portal credentials given (the last one right), wait. Tests that need a finished
 * onboarding's traces (history, logs, stored secrets) share it.
 */
export async function completeOnboarding(
  stack: Stack,
  people: { staff: { token: string }; approver: { email: string; token: string } },
  portal: PortalStub,
  passwords: string[],
  overrides: Record<string, any> = {},
): Promise<Journey> {
  const contactEmail = `it-${Math.random().toString(36).slice(2)}@client.example`;
  const body = startBody({
    approverEmail: people.approver.email,
    subscriptions: ['ORDER_MANAGEMENT'],
    clients: [{ partnerProvidedId: 'client-1', name: 'Client One', contactEmail, portalUrl: portal.url }],
    ...overrides,
  });
  const started = await stack.http('POST', '/v1/onboardings', { token: people.staff.token, body });
  if (started.status !== 202) throw new Error(`start failed: ${started.status} ${started.text}`);
  const { id, workflowId, webhookSecret } = started.body;
  await stack.waitForOnboarding(id, people.staff.token, (v) => v.status === 'AWAITING_APPROVAL');
  await stack.http('POST', `/v1/onboardings/${id}/approvals`, { token: people.approver.token, body: { subscription: 'ORDER_MANAGEMENT', decision: 'APPROVE' } });

  const collectorTokens: string[] = [];
  for (const [i, password] of passwords.entries()) {
    const mail = await stack.mail.waitFor((m) => m.to.includes(contactEmail) && (i === 0 || /try again/i.test(m.subject)) && !collectorTokens.some((t) => m.text.includes(t)));
    const token = linkIn(mail.text, '/collect/').split('/collect/')[1];
    collectorTokens.push(token);
    const posted = await stack.http('POST', `/v1/collect/${token}`, { body: { username: 'client1', password } });
    if (posted.status !== 202) throw new Error(`collect failed: ${posted.status} ${posted.text}`);
  }
  const view = await stack.waitForOnboarding(id, people.staff.token, (v) => v.status === 'COMPLETED');
  return { id, workflowId, webhookSecret, collectorTokens, view };
}
