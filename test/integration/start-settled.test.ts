import { Client, type WorkflowClientInterceptor } from '@temporalio/client';
import type { ApiDeps } from '../../api/deps';
import { startOnboarding } from '../../api/use-cases/start-onboarding';
import { loadDataKey } from '../../db/data-keys';
import { createDataConverter } from '../../lib/data-converter';
import { requireMasterKeys } from '../../lib/config';
import { createSecrets, type Secrets } from '../../lib/secrets';
import { webhookSecretContext } from '../../notify/webhook-signing';
import { startBody, startStack, type Stack } from '../support/stack';
import { startReceiver } from '../support/webhook-receiver';

/** A gRPC failure as the client raises it: DEADLINE_EXCEEDED (4) may come after the server acted, UNAVAILABLE (14) not. */
const grpcError = (code: 4 | 14) =>
  Object.assign(new Error(code === 4 ? 'deadline exceeded' : 'unavailable'), { code });

/**
 * A start whose Temporal call fails is settled by what Temporal did, not guessed (api/use-cases/start-onboarding.ts):
 * the real server starts (or does not start) the run, and an interceptor on the API's client loses the answer.
 */
describe('a start whose Temporal call fails', () => {
  let stack: Stack;
  let staff: { id: string; email: string };
  let approver: { email: string };
  let secrets: Secrets;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    receiver = await startReceiver();
    stack = await startStack();
    staff = await stack.addUser('staff');
    approver = await stack.addUser('approver');
    secrets = createSecrets(await loadDataKey(stack.db.pool, requireMasterKeys(stack.config)));
  });
  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  /** The API's start on a client whose start and describe calls go through `interceptor`. */
  const startThrough = (interceptor: WorkflowClientInterceptor) => {
    const body = startBody({
      approverEmail: approver.email,
      notify: { email: 'ops@acme.example', webhookUrl: receiver.url },
    });
    const temporal = new Client({
      connection: stack.temporal.connection,
      namespace: stack.config.temporal.namespace,
      dataConverter: createDataConverter(requireMasterKeys(stack.config)),
      interceptors: { workflow: [interceptor] },
    });
    const deps = { config: stack.config, pool: stack.db.pool, temporal, secrets } as unknown as ApiDeps;
    return { body, answer: startOnboarding(deps, { caller: { ...staff, role: 'staff' as const }, body }) };
  };
  const rowsOf = async (partnerProvidedId: string) =>
    (
      await stack.db.pool.query<{ id: string; webhook_secret_enc: string | null }>(
        'SELECT id, webhook_secret_enc FROM onboardings WHERE partner_provided_id = $1',
        [partnerProvidedId],
      )
    ).rows;
  const runOf = (workflowId: string) =>
    stack.temporal.workflow
      .getHandle(workflowId)
      .describe()
      .then(
        (d) => d.status.name,
        () => 'NONE',
      );

  it('answers 202 with the webhook secret when the run was started and only the answer was lost', async () => {
    const { body, answer } = startThrough({
      async startWithDetails(input, next) {
        await next(input);
        throw grpcError(4);
      },
    });
    const started = (await answer) as {
      status: number;
      body: { id: string; workflowId: string; webhookSecret: string };
    };
    expect(started.status).toBe(202);
    expect(await runOf(started.body.workflowId)).toBe('RUNNING');
    // The row stays, and holds the very secret the caller was given.
    const [row] = await rowsOf(body.tenant.partnerProvidedId);
    expect(row.id).toBe(started.body.id);
    expect(secrets.open(row.webhook_secret_enc!, webhookSecretContext(row.id))).toBe(started.body.webhookSecret);
  });

  it.each([
    { failure: 'a deadline: Temporal is asked, says no run was made', code: 4 as const, asks: 1 },
    { failure: 'UNAVAILABLE: Temporal was never reached, so it is not asked', code: 14 as const, asks: 0 },
  ])('removes the row and passes the failure on after $failure', async ({ code, asks }) => {
    let asked = 0;
    const { body, answer } = startThrough({
      async startWithDetails() {
        throw grpcError(code);
      },
      async describe(input, next) {
        asked++;
        return next(input);
      },
    });
    await expect(answer).rejects.toMatchObject({ code });
    expect(asked).toBe(asks);
    expect(await rowsOf(body.tenant.partnerProvidedId)).toEqual([]);
  });

  it('keeps the row, with its secret, for the run that may exist when Temporal cannot be asked either', async () => {
    const { body, answer } = startThrough({
      async startWithDetails(input, next) {
        await next(input);
        throw grpcError(4);
      },
      async describe() {
        throw grpcError(4);
      },
    });
    await expect(answer).rejects.toMatchObject({ code: 4 });
    const rows = await rowsOf(body.tenant.partnerProvidedId);
    expect(rows).toHaveLength(1);
    expect(rows[0].webhook_secret_enc).not.toBeNull();
    // The run exists: the row is the one it projects into (housekeeping removes a row only when none runs).
    expect(await runOf(`onboarding-${body.tenant.partnerProvidedId}`)).toBe('RUNNING');
  });
});
