import { Writable } from 'node:stream';
import { startPortalStub, type PortalStub } from '../../infra/portal-stub';
import { completeOnboarding } from '../support/journey';
import { kitRevealPath, startStack, type Stack } from '../support/stack';
import { startReceiver } from '../support/webhook-receiver';

/** A whole onboarding's logs, at debug level, hold none of the secrets that passed through the product. */
describe('logs', () => {
  const lines: string[] = [];
  const logs = new Writable({ write: (chunk, _e, done) => (lines.push(chunk.toString()), done()) });
  let stack: Stack;
  let portal: PortalStub;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    stack = await startStack({}, { logs });
    portal = await startPortalStub({ username: 'client1', password: 'portal-right-Pa55' });
    receiver = await startReceiver([500]);
  });
  afterAll(async () => {
    await stack?.stop();
    await portal?.close();
    await receiver?.close();
  });

  it('never contain a password, secret, token or Authorization header', async () => {
    const staffPassword = 'staff-pw-Zq81-never-logged';
    const staff = await stack.addUser('staff', { password: staffPassword });
    const approver = await stack.addUser('approver');
    const journey = await completeOnboarding(
      stack,
      { staff, approver },
      portal,
      ['portal-wrong-Xy7', 'portal-right-Pa55'],
      {
        notify: { email: 'ops@acme.example', webhookUrl: receiver.url },
      },
    );
    // A used link and a wrong login travel the error paths too.
    expect(
      (
        await stack.http('POST', `/v1/collect/${journey.collectorTokens[0]}`, {
          body: { username: 'client1', password: 'portal-late-Qw3' },
        })
      ).status,
    ).toBe(410);
    expect(
      (await stack.http('POST', '/v1/login', { body: { email: 'nobody@x.example', password: 'wrong-login-Vb4' } }))
        .status,
    ).toBe(401);
    const kitMail = await stack.mail.waitFor((m) => /integration kit/.test(m.subject));
    const kitPath = kitRevealPath(kitMail.text);
    const kit = await stack.http('POST', kitPath);
    expect(kit.status).toBe(200);
    // The webhook is retried after its 500 and then delivered: both attempts are logged.
    const deadline = Date.now() + 10_000;
    while (!lines.some((l) => l.includes('webhook delivered')) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));

    const text = lines.join('');
    expect(text).toContain('portal login checked');
    expect(text).toContain('webhook attempt failed, will retry');
    expect(text).toContain('"route":"/v1/collect/:token"');
    const secrets = [
      staffPassword,
      staff.token,
      approver.token,
      'portal-wrong-Xy7',
      'portal-right-Pa55',
      'portal-late-Qw3',
      'wrong-login-Vb4',
      ...journey.collectorTokens,
      kitPath.split('/').pop()!,
      kit.body.clientSecret,
      journey.webhookSecret!,
      journey.webhookSecret!.slice('whsec_'.length),
    ];
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
