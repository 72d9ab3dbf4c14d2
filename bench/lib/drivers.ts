import type { Client } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { fetch, type Dispatcher } from 'undici';
import type { MailSink } from '../../infra/mail-sink';
import { waitForActivityCompletions, waitForActivityOfType } from './history';

export interface OursContext {
  apiUrl: string;
  staffToken: string;
  approverToken: string;
  approverEmail: string;
  mail: MailSink;
  portalUrl: string;
  temporal: Client;
  portal: { username: string; password: string };
}

const SUBSCRIPTIONS = ['ORDER_MANAGEMENT', 'INVOICING'];
/**
 * How long the driver waits for a mail the workflow sends. On a machine shared with other people's test
 * runs the two cores can be oversubscribed several times over, and a step then takes minutes: the row
 * is slow (and its task timeouts say why), not lost.
 */
const MAIL_WAIT_MS = 300_000;
export const ONBOARDING_SHAPE = { decisions: SUBSCRIPTIONS.length, clients: 1 };

/**
 * One API call. A request that failed at the socket (a keep-alive connection the server closed as it
 * was reused) is sent once more, and one answered with a 5xx up to three times more: every call the
 * drivers make is safe to repeat (decisions are idempotent, starts carry an Idempotency-Key).
 */
async function call(
  url: string,
  method: string,
  token: string | undefined,
  body?: unknown,
  { headers = {}, dispatcher }: { headers?: Record<string, string>; dispatcher?: Dispatcher } = {},
) {
  const send = () =>
    fetch(url, {
      method,
      dispatcher,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const attempt = () =>
    send().catch((err: Error) => {
      process.stderr.write(
        `  ${method} ${url} failed at the socket (${(err.cause as Error | undefined)?.message ?? err.message}); once more\n`,
      );
      return send();
    });
  for (let retries = 0; ; retries++) {
    const res = await attempt();
    const text = await res.text();
    // A 5xx is sent again a few times, 2 s apart, and said on stderr: on a machine whose PostgreSQL other
    // people's test runs share, its connections can run out for a moment ("too many clients already").
    if (res.status >= 500 && retries < 3) {
      process.stderr.write(`  ${method} ${url} answered ${res.status} (${text.slice(0, 200)}); again in 2 s\n`);
      await new Promise((r) => setTimeout(r, 2_000));
      continue;
    }
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }
}

/** POST /v1/onboardings as staff, under an Idempotency-Key so that a resend starts nothing twice. */
export async function startOnboarding(
  ctx: Pick<OursContext, 'apiUrl' | 'staffToken'>,
  body: unknown,
): Promise<{ id: string; workflowId: string }> {
  const started = await call(`${ctx.apiUrl}/v1/onboardings`, 'POST', ctx.staffToken, body, {
    headers: { 'idempotency-key': randomBytes(12).toString('hex') },
  });
  if (started.status !== 202) throw new Error(`start failed: ${started.status} ${JSON.stringify(started.body)}`);
  return started.body as { id: string; workflowId: string };
}

export const login = async (apiUrl: string, email: string, password: string) =>
  (await call(`${apiUrl}/v1/login`, 'POST', undefined, { email, password })).body.accessToken as string;

export function onboardingBody(
  approverEmail: string,
  portalUrl: string | undefined,
  tag = randomBytes(5).toString('hex'),
) {
  return {
    tenant: { partnerProvidedId: `bench-${tag}`, name: `Bench ${tag}`, plan: 'TRADE' },
    integrationUser: { email: `api-${tag}@bench-customer.example`, integrationSystem: 'SAP S/4HANA' },
    subscriptions: SUBSCRIPTIONS,
    approverEmail,
    clients: portalUrl
      ? [{ partnerProvidedId: 'c1', name: 'Client', contactEmail: `c-${tag}@bench-customer.example`, portalUrl }]
      : [],
    notify: { email: `ops-${tag}@bench-customer.example` },
  };
}

/** Polls the read model (a cheap indexed read) until the onboarding reaches one of these statuses. */
export async function waitForStatus(ctx: OursContext, id: string, statuses: string[]): Promise<string> {
  for (;;) {
    const view = await call(`${ctx.apiUrl}/v1/onboardings/${id}`, 'GET', ctx.staffToken);
    if (statuses.includes(view.body?.status)) return view.body.status;
    if (['REJECTED', 'CANCELLED', 'FAILED'].includes(view.body?.status))
      throw new Error(`onboarding ended ${view.body.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Decides as the approver; the API answers once the workflow has recorded the decision. Under a burst
 * of thousands that can take longer than fetch's 300 s header timeout: pass a patient dispatcher then.
 */
export async function approve(
  ctx: OursContext,
  id: string,
  subscription: string,
  dispatcher?: Dispatcher,
): Promise<void> {
  for (;;) {
    const res = await call(
      `${ctx.apiUrl}/v1/onboardings/${id}/approvals`,
      'POST',
      ctx.approverToken,
      { subscription, decision: 'APPROVE' },
      { dispatcher },
    );
    if (res.status === 200) return;
    // The task exists once the workflow reaches the approval step; until then the validator says so.
    if (res.status !== 409 || res.body?.reason !== 'NOT_AWAITING_APPROVAL')
      throw new Error(`approval failed: ${res.status} ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One onboarding, start to COMPLETED, as people would drive it; optionally measures decision → assignment. */
export async function runOurs(
  ctx: OursContext,
  options: { measureDecision?: boolean } = {},
): Promise<{ workflowId: string; totalMs: number; decisionMs?: number }> {
  const t0 = Date.now();
  const body = onboardingBody(ctx.approverEmail, ctx.portalUrl);
  const { id, workflowId } = await startOnboarding(ctx, body);
  const handle = ctx.temporal.workflow.getHandle(workflowId);
  let decisionMs: number | undefined;
  // People act on the mail that asks them to, as B0's driver signals without looking: polling the
  // read model every 50 ms for a status would load the API with reads no one makes.
  const approvalNeeded = `Approval needed: API subscriptions for ${body.tenant.name}`;
  await ctx.mail.waitFor((m) => m.to.includes(ctx.approverEmail) && m.subject === approvalNeeded, MAIL_WAIT_MS);
  await approve(ctx, id, SUBSCRIPTIONS[0]);
  if (options.measureDecision) {
    await waitForActivityOfType(handle, 'notifyDecision', 1); // the first decision has been announced
    const sent = Date.now();
    await approve(ctx, id, SUBSCRIPTIONS[1]);
    decisionMs = (await waitForActivityOfType(handle, 'assignSubscriptions')) - sent;
  } else {
    await approve(ctx, id, SUBSCRIPTIONS[1]);
  }
  const contact = body.clients[0].contactEmail;
  const mail = await ctx.mail.waitFor((m) => m.to.includes(contact), MAIL_WAIT_MS);
  const token = /\/collect\/([A-Za-z0-9_-]+)/.exec(mail.text)![1];
  const submitted = await call(`${ctx.apiUrl}/v1/collect/${token}`, 'POST', undefined, ctx.portal);
  if (submitted.status !== 202) throw new Error(`collect failed: ${submitted.status}`);
  // Completion as staff and the CLI see it: the read model, polled every 50 ms once the customer
  // has the kit mail (the last step's side effect).
  await ctx.mail.waitFor(
    (m) => m.to.includes(body.notify.email) && /integration kit/.test(m.subject ?? ''),
    MAIL_WAIT_MS,
  );
  await waitForStatus(ctx, id, ['COMPLETED']);
  return { workflowId, totalMs: Date.now() - t0, decisionMs };
}

/** Where B3's mails go: the bench's mail sink, which ours' driver reads by recipient. */
export const B3_MAIL_TO = 'b3@bench-baseline.example';

export type Baseline = 'B0' | 'B1' | 'B2' | 'B3';

/** B3's input: the onboarding's shape, B2's writes, and the mails and portal login ours makes. */
const b3Input = () => ({
  ...ONBOARDING_SHAPE,
  waitTimeoutMs: 3_600_000,
  writes: true,
  outsideWork: { mailTo: B3_MAIL_TO },
});

/**
 * A baseline run, the onboarding's shape driven through the Temporal client: B0 with no-op activities,
 * B1 with PostgreSQL writes, B2 with the writes and the product's payload codec (its client and worker
 * both encode: see baselineTarget in ./env), B3 with B2's and the five mails and portal login ours makes.
 */
export async function runBaseline(
  { temporal, taskQueue }: { temporal: Client; taskQueue: string },
  baseline: Baseline,
  options: { measureDecision?: boolean } = {},
) {
  const t0 = Date.now();
  const handle = await temporal.workflow.start('baselineWorkflow', {
    taskQueue,
    workflowId: `${baseline.toLowerCase()}-${randomBytes(6).toString('hex')}`,
    args: [
      {
        ...(baseline === 'B3'
          ? b3Input()
          : { ...ONBOARDING_SHAPE, waitTimeoutMs: 3_600_000, writes: baseline !== 'B0' }),
        // An experiment, not a baseline of the report: docs/performance.md, "the read model's writes as local activities".
        localProjection: baseline === 'B2' && process.env.BENCH_B2_LOCAL_PROJECTION === '1',
        carriedView: baseline === 'B2' && process.env.BENCH_B2_CARRIED_VIEW === '1',
      },
    ],
  });
  let decisionMs: number | undefined;
  await handle.signal('decide');
  if (options.measureDecision) {
    await waitForActivityCompletions(handle, 5);
    const sent = Date.now();
    await handle.signal('decide');
    decisionMs = (await waitForActivityCompletions(handle, 7)) - sent;
  } else {
    await handle.signal('decide');
  }
  await handle.signal('submitted');
  await handle.result();
  return { workflowId: handle.workflowId, totalMs: Date.now() - t0, decisionMs };
}

/**
 * B4: B3 driven as ours is, over HTTP, through the baseline process's bare endpoints (bench/processes/baseline.ts):
 * a start, two decisions, the credentials, and a read that answers once the onboarding has completed.
 */
export async function runB4(apiUrl: string): Promise<{ workflowId: string; totalMs: number }> {
  const t0 = Date.now();
  const started = await call(`${apiUrl}/b4/onboardings`, 'POST', undefined, b3Input());
  if (started.status !== 202) throw new Error(`B4 start failed: ${started.status}`);
  const { workflowId } = started.body as { workflowId: string };
  const onboarding = `${apiUrl}/b4/onboardings/${workflowId}`;
  for (let d = 0; d < ONBOARDING_SHAPE.decisions; d++) {
    const decided = await call(`${onboarding}/decisions`, 'POST', undefined, {});
    if (decided.status !== 200) throw new Error(`B4 decision failed: ${decided.status}`);
  }
  const submitted = await call(`${onboarding}/submissions`, 'POST', undefined, {});
  if (submitted.status !== 202) throw new Error(`B4 submission failed: ${submitted.status}`);
  const completed = await call(`${onboarding}/completed`, 'GET', undefined);
  if (completed.body?.status !== 'COMPLETED') throw new Error(`B4 did not complete: ${completed.status}`);
  return { workflowId, totalMs: Date.now() - t0 };
}
