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

  const newBody = () =>
    startBody({ approverEmail: approver.email, notify: { email: 'ops@acme.example', webhookUrl: receiver.url } });
  /** The API's start on a client whose start and describe calls go through `interceptor`; a repeat passes the same body and key. */
  const startThrough = (
    interceptor: WorkflowClientInterceptor,
    { body = newBody(), idempotencyKey }: { body?: ReturnType<typeof newBody>; idempotencyKey?: string } = {},
  ) => {
    const temporal = new Client({
      connection: stack.temporal.connection,
      namespace: stack.config.temporal.namespace,
      dataConverter: createDataConverter(requireMasterKeys(stack.config)),
      interceptors: { workflow: [interceptor] },
    });
    const deps = { config: stack.config, pool: stack.db.pool, temporal, secrets } as unknown as ApiDeps;
    return {
      body,
      answer: startOnboarding(deps, { caller: { ...staff, role: 'staff' as const }, body, idempotencyKey }),
    };
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

  /** Temporal's answer to the start is lost, and Temporal cannot be asked what it did. */
  const unsettled = (startsTheRun: boolean): WorkflowClientInterceptor => ({
    async startWithDetails(input, next) {
      if (startsTheRun) await next(input);
      throw grpcError(4);
    },
    async describe() {
      throw grpcError(4);
    },
  });
  type Started = { status: number; body: { id: string; workflowId: string; webhookSecret: string } };

  it('answers a repeat with the same Idempotency-Key once Temporal can say: the first attempt’s 202, with its secret', async () => {
    const idempotencyKey = 'settle-made';
    const first = startThrough(unsettled(true), { idempotencyKey });
    await expect(first.answer).rejects.toMatchObject({ code: 4 });
    const [row] = await rowsOf(first.body.tenant.partnerProvidedId);

    // Temporal still cannot say: the repeat is 503 too, and nothing changes.
    const still = startThrough(unsettled(true), { body: first.body, idempotencyKey });
    await expect(still.answer).rejects.toMatchObject({ status: 503 });
    expect(await rowsOf(first.body.tenant.partnerProvidedId)).toEqual([row]);

    let asked = 0;
    const counting: WorkflowClientInterceptor = {
      async describe(input, next) {
        asked++;
        return next(input);
      },
    };
    const repeat = (await startThrough(counting, { body: first.body, idempotencyKey }).answer) as Started;
    expect(repeat.status).toBe(202);
    expect(repeat.body.id).toBe(row.id);
    expect(secrets.open(row.webhook_secret_enc!, webhookSecretContext(row.id))).toBe(repeat.body.webhookSecret);
    expect(asked).toBe(1);
    // Settled for good: the next repeat is answered from what is stored, without asking again.
    const again = (await startThrough(counting, { body: first.body, idempotencyKey }).answer) as Started;
    expect(again).toEqual(repeat);
    expect(asked).toBe(1);
    expect(await rowsOf(first.body.tenant.partnerProvidedId)).toEqual([row]);
  });

  it('starts afresh on a repeat when the first attempt, which could not be settled, made no run', async () => {
    const idempotencyKey = 'settle-not-made';
    const first = startThrough(unsettled(false), { idempotencyKey });
    await expect(first.answer).rejects.toMatchObject({ code: 4 });
    const [kept] = await rowsOf(first.body.tenant.partnerProvidedId);
    expect(kept).toBeDefined();

    const repeat = (await startThrough({}, { body: first.body, idempotencyKey }).answer) as Started;
    expect(repeat.status).toBe(202);
    expect(repeat.body.id).not.toBe(kept.id);
    const rows = await rowsOf(first.body.tenant.partnerProvidedId);
    expect(rows.map((r) => r.id)).toEqual([repeat.body.id]);
    expect(secrets.open(rows[0].webhook_secret_enc!, webhookSecretContext(rows[0].id))).toBe(repeat.body.webhookSecret);
    expect(await runOf(repeat.body.workflowId)).toBe('RUNNING');
  });
});
