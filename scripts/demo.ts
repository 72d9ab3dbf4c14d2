import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Pool } from 'pg';
import { createUser } from '../db/users';
import { readMailDir, type ReceivedMail } from '../infra/received-mail';
import { startPortalStub } from '../infra/portal-stub';

/**
 * `npm run demo`, against the stack `npm start` runs: one onboarding from start to COMPLETED, through
 * an approval, a wrong and then a right credential submission against a local client portal, and the
 * kit, which opens exactly once. It reads the mails the local mail catcher wrote to .data/mail/.
 */
interface Runtime {
  apiUrl: string;
  databaseUrl: string;
  mailDir: string | null;
}

const say = (text: string) => process.stdout.write(`${text}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const dataDir = path.resolve(process.env.GANGWAY_DATA_DIR ?? '.data');
  const runtime = JSON.parse(
    await readFile(path.join(dataDir, 'runtime.json'), 'utf8').catch(() => {
      throw new Error('no .data/runtime.json: start the stack first with `npm start` (in another terminal)');
    }),
  ) as Runtime;
  if (!runtime.mailDir)
    throw new Error('the demo reads mail from the local mail catcher; run `npm start` without SMTP_URL');
  const api = runtime.apiUrl;
  const run = randomBytes(3).toString('hex');

  const call = async (method: string, route: string, body?: unknown, token?: string) => {
    const res = await fetch(`${api}${route}`, {
      method,
      headers: {
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const mailSince = Date.now();
  const waitForMail = async (to: string, subject: RegExp, seen = new Set<string>()): Promise<ReceivedMail> => {
    for (let i = 0; i < 300; i++) {
      const mails = await readMailDir(runtime.mailDir!);
      const found = mails.find(
        (m) =>
          m.receivedAt.getTime() >= mailSince - 1000 &&
          m.to.includes(to) &&
          subject.test(m.subject) &&
          !seen.has(m.messageId),
      );
      if (found) return found;
      await sleep(100);
    }
    throw new Error(`no mail to ${to} matching ${subject}`);
  };
  const linkIn = (mail: ReceivedMail, marker: string) => {
    const match = new RegExp(`https?://\\S*${marker}[A-Za-z0-9_-]+`).exec(mail.text);
    if (!match) throw new Error(`no ${marker} link in the mail "${mail.subject}"`);
    return match[0];
  };

  say('1. Two people: onboarding staff and an account manager who approves');
  const pool = new Pool({ connectionString: runtime.databaseUrl, max: 1 });
  const people = { staff: `staff-${run}@demo.example`, approver: `am-${run}@demo.example` };
  const password = randomBytes(12).toString('base64url');
  await createUser(pool, { email: people.staff, role: 'staff', password });
  await createUser(pool, { email: people.approver, role: 'approver', approverKind: 'AM', password });
  await pool.end();
  const staffToken = (await call('POST', '/v1/login', { email: people.staff, password })).body.accessToken as string;
  const approverToken = (await call('POST', '/v1/login', { email: people.approver, password })).body
    .accessToken as string;

  const portal = await startPortalStub({ username: 'acme-buyer', password: 'correct horse' });
  say(`2. A client portal at ${portal.url} that accepts one credential`);

  const started = await call(
    'POST',
    '/v1/onboardings',
    {
      tenant: { partnerProvidedId: `acme-${run}`, name: 'Acme Shipping', plan: 'TRADE' },
      integrationUser: { email: `api-${run}@acme.example`, integrationSystem: 'SAP S/4HANA' },
      subscriptions: ['ORDER_MANAGEMENT', 'CONTROL_TOWER_ORDERS'],
      approverEmail: people.approver,
      clients: [
        {
          partnerProvidedId: 'client-7',
          name: 'Client Seven',
          contactEmail: `it-${run}@client7.example`,
          portalUrl: portal.url,
        },
      ],
      notify: { email: `ops-${run}@acme.example` },
    },
    staffToken,
  );
  if (started.status !== 202) throw new Error(`start failed: ${started.status} ${JSON.stringify(started.body)}`);
  const id = started.body.id as string;
  say(`3. Onboarding ${id} started (workflow ${started.body.workflowId})`);

  const view = () => call('GET', `/v1/onboardings/${id}`, undefined, staffToken).then((r) => r.body);
  const waitFor = async (predicate: (v: any) => boolean, what: string) => {
    for (let i = 0; i < 600; i++) {
      const v = await view();
      if (predicate(v)) return v;
      await sleep(100);
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  await waitForMail(people.approver, /Approval needed/);
  await waitFor((v) => v.status === 'AWAITING_APPROVAL', 'the approval step');
  for (const subscription of ['ORDER_MANAGEMENT', 'CONTROL_TOWER_ORDERS']) {
    const decided = await call(
      'POST',
      `/v1/onboardings/${id}/approvals`,
      { subscription, decision: 'APPROVE', comment: 'demo' },
      approverToken,
    );
    say(`4. ${people.approver} approved ${subscription}: ${decided.status}`);
  }

  const firstMail = await waitForMail(`it-${run}@client7.example`, /portal credentials/);
  const firstToken = linkIn(firstMail, '/collect/').split('/collect/')[1];
  say('5. The client submits a wrong password through its collector link');
  await call('POST', `/v1/collect/${firstToken}`, { username: 'acme-buyer', password: 'wrong' });
  const retryMail = await waitForMail(`it-${run}@client7.example`, /try again/i);
  say('6. The portal refused it; the client got a fresh link and submits the right one');
  const secondToken = linkIn(retryMail, '/collect/').split('/collect/')[1];
  await call('POST', `/v1/collect/${secondToken}`, { username: 'acme-buyer', password: 'correct horse' });

  const done = await waitFor((v) => ['COMPLETED', 'FAILED', 'CANCELLED', 'REJECTED'].includes(v.status), 'the end');
  say(`7. Onboarding ${done.status}:`);
  for (const step of done.steps)
    say(`     ${step.status.padEnd(11)} ${step.name}${step.detail ? `  (${step.detail})` : ''}`);
  say(`     client-7 connectivity ${done.clients[0].connectivity} after ${done.clients[0].attempts} submissions`);

  const kitMail = await waitForMail(`ops-${run}@acme.example`, /integration kit/);
  // The mail links to a page whose Reveal button posts to the API: the kit opens on that POST, once.
  const kitUrl = linkIn(kitMail, '/kit/').replace('/kit/', '/v1/kits/');
  const first = await fetch(kitUrl, { method: 'POST' });
  const kit = (await first.json()) as Record<string, unknown>;
  const second = await fetch(kitUrl, { method: 'POST' });
  say(
    `8. Kit opened: ${first.status} (client ${String(kit.clientId)}, user ${String(kit.username)}, ${String(kit.subscriptions)}); opened again: ${second.status}`,
  );
  await portal.close();
  if (done.status !== 'COMPLETED' || first.status !== 200 || second.status !== 410)
    throw new Error('the demo did not go as expected');
  say('Demo complete.');
}

main().catch((err) => {
  console.error(`demo failed: ${(err as Error).message}`);
  process.exit(1);
});
