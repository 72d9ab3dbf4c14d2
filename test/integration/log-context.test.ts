import { Writable } from 'node:stream';
import { startBody, startStack, type Stack } from '../support/stack';

/** Each log line says which request or which activity attempt wrote it. */
describe('log lines in context', () => {
  const lines: string[] = [];
  const logs = new Writable({ write: (chunk, _e, done) => (lines.push(chunk.toString()), done()) });
  const parsed = () => lines.flatMap((l) => l.split('\n').filter(Boolean)).map((l) => JSON.parse(l));
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({}, { logs });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function lineWhere(predicate: (line: any) => boolean): Promise<any> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const found = parsed().find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error('no such log line');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('a well-formed X-Request-Id comes back and is on the request log line and the problem', async () => {
    const id = 'req-4f1c2a9e-test';
    const answer = await stack.http('GET', '/v1/no-such-route', { headers: { 'x-request-id': id } });
    expect(answer.status).toBe(404);
    expect(answer.headers.get('x-request-id')).toBe(id);
    expect(answer.body.requestId).toBe(id);
    const line = await lineWhere((l) => l.msg === 'request' && l.requestId === id);
    expect(line).toMatchObject({ status: 404, route: 'unmatched' });
  });

  it('a malformed or missing id is replaced by a new one, on the answer and in the log', async () => {
    const bad = await stack.http('GET', '/healthz', { headers: { 'x-request-id': 'x"; drop' } });
    const issued = bad.headers.get('x-request-id');
    expect(issued).toMatch(/^[0-9a-f-]{36}$/);
    await lineWhere((l) => l.msg === 'request' && l.requestId === issued);
    const none = await stack.http('GET', '/healthz');
    expect(none.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(none.headers.get('x-request-id')).not.toBe(issued);
  });

  it("an activity's lines name the workflow, the run, the activity type and the attempt", async () => {
    const staff = await stack.addUser('staff');
    const approver = await stack.addUser('approver');
    const body = startBody({ approverEmail: approver.email, subscriptions: ['ORDER_MANAGEMENT'] });
    const started = await stack.http('POST', '/v1/onboardings', { token: staff.token, body });
    expect(started.status).toBe(202);
    const { workflowId } = started.body;
    const { runId } = await stack.temporal.workflow.getHandle(workflowId).describe();
    // The approval request mail is sent by an activity, through the mailer's logger (notify/mailer.ts).
    const line = await lineWhere((l) => l.msg === 'mail sent' && l.workflowId === workflowId);
    expect(line).toMatchObject({ workflowId, runId, attempt: 1 });
    expect(typeof line.activityType).toBe('string');
    expect(line.activityType.length).toBeGreaterThan(0);
    // The API's lines of the start carry the request id and no activity's fields.
    const startLine = await lineWhere(
      (l) => l.msg === 'request' && l.route === '/v1/onboardings' && l.method === 'POST',
    );
    expect(startLine.requestId).toBe(started.headers.get('x-request-id'));
    expect(startLine.activityType).toBeUndefined();
  });
});
