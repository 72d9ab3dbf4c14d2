import { startPortalStub, type PortalStub } from '../../infra/portal-stub';
import { clientFor, startApproved, submitCredentials } from '../support/journey';
import { startStack, type Stack } from '../support/stack';

/** Verifying clients' portals: wrong credentials retry the person, anything else retries the request until the deadline. */
describe('client connectivity', () => {
  let stack: Stack;
  let people: { staff: { token: string }; approver: { email: string; token: string } };
  const portals: PortalStub[] = [];
  const portal = async () => {
    const p = await startPortalStub({ username: 'client1', password: 'right' });
    portals.push(p);
    return p;
  };

  beforeAll(async () => {
    stack = await startStack({ CONNECTIVITY_DEADLINE: '4s', CREDENTIAL_MAX_ATTEMPTS: '2' });
    people = { staff: await stack.addUser('staff'), approver: await stack.addUser('approver') };
  });
  afterAll(async () => {
    await stack?.stop();
    await Promise.all(portals.map((p) => p.close()));
  });

  const clientIn = (view: any, id: string) => view.clients.find((c: any) => c.partnerProvidedId === id);

  it('retries a portal answering 503, recording each check, and connects once it is back', async () => {
    const p = await portal();
    p.setUnavailable(true);
    const client = clientFor(p);
    const { id } = await startApproved(stack, people, [client]);
    await submitCredentials(stack, client.contactEmail, 1, 'right');

    const retrying = await stack.waitForOnboarding(id, people.staff.token, (v) => clientIn(v, 'client-1').checks >= 3);
    expect(retrying.status).toBe('VERIFYING_CONNECTIVITY');
    expect(clientIn(retrying, 'client-1')).toMatchObject({
      connectivity: 'PENDING',
      attempts: 1,
      lastError: 'HTTP_5XX',
      lastCheckedAt: expect.any(String),
    });

    p.setUnavailable(false);
    const done = await stack.waitForOnboarding(id, people.staff.token, (v) => v.status === 'COMPLETED');
    expect(clientIn(done, 'client-1')).toMatchObject({ connectivity: 'CONNECTED', attempts: 1, lastError: null });
    expect(clientIn(done, 'client-1').checks).toBe(p.logins.length);
    // Only one collector link: a portal outage is not the client's fault.
    expect(stack.mail.messages().filter((m) => m.to.includes(client.contactEmail))).toHaveLength(1);
  });

  it('verifies clients in parallel: one portal down until the deadline never holds back another', async () => {
    const down = await portal();
    const up = await portal();
    down.setUnavailable(true);
    const slow = clientFor(down, 'client-down');
    const fine = clientFor(up, 'client-up');
    const { id } = await startApproved(stack, people, [slow, fine]);
    await submitCredentials(stack, slow.contactEmail, 1, 'right');
    await submitCredentials(stack, fine.contactEmail, 1, 'right');

    const meanwhile = await stack.waitForOnboarding(
      id,
      people.staff.token,
      (v) => clientIn(v, 'client-up').connectivity === 'CONNECTED',
    );
    expect(clientIn(meanwhile, 'client-down').connectivity).toBe('PENDING');

    const done = await stack.waitForOnboarding(id, people.staff.token, (v) => v.status === 'COMPLETED', 20_000);
    expect(clientIn(done, 'client-down')).toMatchObject({ connectivity: 'FAILED', lastError: 'HTTP_5XX' });
    expect(clientIn(done, 'client-down').checks).toBeGreaterThanOrEqual(3);
    expect(done.steps.find((s: any) => s.name === 'VERIFY_CONNECTIVITY')).toMatchObject({
      status: 'FAILED',
      detail: '1 of 2 client(s) connected',
    });
  });

  it('sends a fresh link after wrong credentials, and gives up after CREDENTIAL_MAX_ATTEMPTS', async () => {
    const p = await portal();
    const client = clientFor(p);
    const { id } = await startApproved(stack, people, [client]);
    const first = await submitCredentials(stack, client.contactEmail, 1, 'wrong-1');
    const second = await submitCredentials(stack, client.contactEmail, 2, 'wrong-2');
    expect(second).not.toBe(first);
    expect(
      (await stack.http('POST', `/v1/collect/${first}`, { body: { username: 'client1', password: 'right' } })).status,
    ).toBe(410);

    const done = await stack.waitForOnboarding(id, people.staff.token, (v) => v.status === 'COMPLETED');
    expect(clientIn(done, 'client-1')).toMatchObject({
      connectivity: 'FAILED',
      attempts: 2,
      checks: 2,
      lastError: 'wrong credentials 2 times',
    });
    expect(p.logins.map((l) => l.password)).toEqual(['wrong-1', 'wrong-2']);
    expect(stack.mail.messages().filter((m) => m.to.includes(client.contactEmail))).toHaveLength(2);
  });
});
