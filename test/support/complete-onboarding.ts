import { randomBytes } from 'node:crypto';
import { kitRevealPath, startBody, type Stack } from './stack';

/**
 * Runs one onboarding to COMPLETED through the API (every subscription approved) and reveals its kit once
 * (unless options.reveal is false: then kit is undefined and the kit mail's link is still unused).
 */
export async function completeOnboarding(
  stack: Pick<Stack, 'http' | 'waitForOnboarding' | 'mail'>,
  people: { staffToken: string; approver: { email: string; token: string } },
  overrides: Record<string, any> = {},
  options: { reveal?: boolean } = {},
) {
  const notifyEmail = `ops-${randomBytes(4).toString('hex')}@acme.example`;
  const body = startBody({ approverEmail: people.approver.email, notify: { email: notifyEmail }, ...overrides });
  const started = await stack.http('POST', '/v1/onboardings', { token: people.staffToken, body });
  if (started.status !== 202) throw new Error(`start failed: ${started.status} ${started.text}`);
  await stack.waitForOnboarding(started.body.id, people.staffToken, (v) => v.status === 'AWAITING_APPROVAL');
  for (const subscription of body.subscriptions) {
    await stack.http('POST', `/v1/onboardings/${started.body.id}/approvals`, {
      token: people.approver.token,
      body: { subscription, decision: 'APPROVE' },
    });
  }
  const view = await stack.waitForOnboarding(started.body.id, people.staffToken, (v) => v.status === 'COMPLETED');
  const kitMail = await stack.mail.waitFor((m) => m.to.includes(notifyEmail) && /integration kit/.test(m.subject));
  if (options.reveal === false) return { body, started: started.body, view, kitMail, kit: undefined as any };
  const kit = await stack.http('POST', kitRevealPath(kitMail.text));
  if (kit.status !== 200) throw new Error(`kit failed: ${kit.status} ${kit.text}`);
  return { body, started: started.body, view, kitMail, kit: kit.body };
}

/** POST /oauth/token with HTTP Basic client authentication and a form body. */
export function oauthToken(
  stack: Pick<Stack, 'http'>,
  client: { clientId: string; clientSecret: string },
  form: Record<string, string>,
) {
  const basic = Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64');
  return stack.http('POST', '/oauth/token', {
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
}

/** The claims of a token we issued (read, not verified: the API verifies). */
export const claimsOf = (accessToken: string) =>
  JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString('utf8'));
