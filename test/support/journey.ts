import type { PortalStub } from '../../infra/portal-stub';
import { collectorTokenIn, startBody, type Stack } from './stack';

type People = { staff: { token: string }; approver: { email: string; token: string } };
export interface Started {
  id: string;
  workflowId: string;
  webhookSecret?: string;
}
export interface Journey extends Started {
  collectorTokens: string[];
  view: any;
}

export const clientFor = (portal: PortalStub, name = 'client-1') => ({
  partnerProvidedId: name,
  name: `Client ${name}`,
  contactEmail: `it-${name}-${Math.random().toString(36).slice(2)}@client.example`,
  portalUrl: portal.url,
});

/** Starts an onboarding with the given clients and approves its one subscription, as people would. */
export async function startApproved(
  stack: Stack,
  people: People,
  clients: ReturnType<typeof clientFor>[],
  overrides: Record<string, any> = {},
): Promise<Started> {
  const body = startBody({
    approverEmail: people.approver.email,
    subscriptions: ['ORDER_MANAGEMENT'],
    clients,
    ...overrides,
  });
  const started = await stack.http('POST', '/v1/onboardings', { token: people.staff.token, body });
  if (started.status !== 202) throw new Error(`start failed: ${started.status} ${started.text}`);
  const { id, workflowId, webhookSecret } = started.body;
  await stack.waitForOnboarding(id, people.staff.token, (v) => v.status === 'AWAITING_APPROVAL');
  await stack.http('POST', `/v1/onboardings/${id}/approvals`, {
    token: people.approver.token,
    body: { subscription: 'ORDER_MANAGEMENT', decision: 'APPROVE' },
  });
  return { id, workflowId, webhookSecret };
}

/**
 * One client's onboarding started and approved by new staff and approver, once its collector link is
 * mailed: the onboarding, its staff (to read it) and the link's token.
 */
export async function awaitingCredentials(
  stack: Stack,
  portal: PortalStub,
): Promise<Started & { staff: { token: string }; token: string }> {
  const staff = await stack.addUser('staff');
  const approver = await stack.addUser('approver');
  const client = clientFor(portal);
  const started = await startApproved(stack, { staff, approver }, [client]);
  const mail = await stack.mail.waitFor((m) => m.to.includes(client.contactEmail));
  return { ...started, staff, token: collectorTokenIn(mail.text) };
}

/** Waits for the client's nth collector mail (1-based) and submits the password through its link; returns the token. */
export async function submitCredentials(
  stack: Stack,
  contactEmail: string,
  nth: number,
  password: string,
  username = 'client1',
): Promise<string> {
  await stack.mail.waitFor(
    (m) =>
      m.to.includes(contactEmail) && stack.mail.messages().filter((x) => x.to.includes(contactEmail)).length >= nth,
  );
  const mail = stack.mail.messages().filter((m) => m.to.includes(contactEmail))[nth - 1];
  const token = collectorTokenIn(mail.text);
  const posted = await stack.http('POST', `/v1/collect/${token}`, { body: { username, password } });
  if (posted.status !== 202) throw new Error(`collect failed: ${posted.status} ${posted.text}`);
  return token;
}

/**
 * One onboarding with one client driven to COMPLETED: approve, submit the passwords given (the
 * last one right), wait. Tests that need a finished onboarding's traces (history, logs, stored
 * secrets) share it.
 */
export async function completeOnboarding(
  stack: Stack,
  people: People,
  portal: PortalStub,
  passwords: string[],
  overrides: Record<string, any> = {},
): Promise<Journey> {
  const client = clientFor(portal);
  const started = await startApproved(stack, people, [client], overrides);
  const collectorTokens: string[] = [];
  for (const [i, password] of passwords.entries())
    collectorTokens.push(await submitCredentials(stack, client.contactEmail, i + 1, password));
  const view = await stack.waitForOnboarding(started.id, people.staff.token, (v) => v.status === 'COMPLETED');
  return { ...started, collectorTokens, view };
}
