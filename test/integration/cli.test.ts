import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { run } from '../../cli/index';
import { startBody, startStack, type Stack } from '../support/stack';
import { pollUntil } from '../support/wait';

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI in-process against the real stack: a person is a session directory and a password. */
describe('the gangway CLI', () => {
  let stack: Stack;
  let root: string;
  const people: Record<'staff' | 'approver' | 'other', { email: string; password: string; dir: string; id?: string }> =
    {} as never;

  async function cli(
    args: string[],
    options: { stdin?: string; env?: Record<string, string>; cwd?: string } = {},
  ): Promise<CliResult> {
    let stdout = '';
    let stderr = '';
    const sink = (append: (s: string) => void) =>
      new Writable({
        write(chunk, _encoding, done) {
          append(chunk.toString());
          done();
        },
      });
    const code = await run(args, {
      stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
      stdout: sink((s) => (stdout += s)),
      stderr: sink((s) => (stderr += s)),
      env: { ...options.env },
      cwd: options.cwd ?? root,
    });
    return { code, stdout, stderr };
  }

  /** Runs as one person: their own GANGWAY_DATA_DIR holds their session. */
  const as = (
    who: keyof typeof people,
    args: string[],
    options: { stdin?: string; env?: Record<string, string> } = {},
  ) =>
    cli(args, { ...options, env: { GANGWAY_DATA_DIR: people[who].dir, GANGWAY_API_URL: stack.url, ...options.env } });

  const sessionFile = (who: keyof typeof people) => path.join(people[who].dir, 'cli-session.json');

  async function writeJson(name: string, value: unknown): Promise<string> {
    const file = path.join(root, name);
    await writeFile(file, JSON.stringify(value));
    return file;
  }

  beforeAll(async () => {
    stack = await startStack();
    root = await mkdtemp(path.join(os.tmpdir(), 'gangway-cli-'));
    const suffix = Date.now().toString(36);
    for (const who of ['staff', 'approver', 'other'] as const) {
      people[who] = {
        email: `${who}-${suffix}@gangway.example`,
        password: `pw ${who} ${suffix} ü`,
        dir: path.join(root, who),
      };
    }
  });
  afterAll(async () => {
    await stack?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  describe('users add', () => {
    it('creates an approver from DATABASE_URL, with the password from stdin minus its newline, who can log in', async () => {
      const { approver } = people;
      const res = await cli(
        [
          'users',
          'add',
          '--email',
          approver.email,
          '--role',
          'approver',
          '--approver-kind',
          'TECH_AM',
          '--password-stdin',
        ],
        {
          stdin: `${approver.password}\n`,
          env: { DATABASE_URL: stack.db.url },
        },
      );
      expect(res).toMatchObject({ code: 0, stderr: '' });
      expect(res.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
      approver.id = res.stdout.trim();
      const { rows } = await stack.db.pool.query('SELECT email, role, approver_kind FROM users WHERE id = $1', [
        approver.id,
      ]);
      expect(rows).toEqual([{ email: approver.email, role: 'approver', approver_kind: 'TECH_AM' }]);

      const login = await stack.http('POST', '/v1/login', {
        body: { email: approver.email, password: approver.password },
      });
      expect(login.status).toBe(200);
    });

    it('finds the database in the runtime file npm start writes (.data/runtime.json under the current directory)', async () => {
      const cwd = path.join(root, 'checkout');
      await mkdir(path.join(cwd, '.data'), { recursive: true });
      await writeFile(
        path.join(cwd, '.data', 'runtime.json'),
        JSON.stringify({ databaseUrl: stack.db.url, apiUrl: stack.url }),
      );
      for (const who of ['staff', 'other'] as const) {
        const role = who === 'staff' ? 'staff' : 'approver';
        const res = await cli(['users', 'add', '--email', people[who].email, '--role', role, '--password-stdin'], {
          stdin: `${people[who].password}\r\n`,
          cwd,
        });
        expect(res).toMatchObject({ code: 0, stderr: '' });
        people[who].id = res.stdout.trim();
        expect(
          (
            await stack.http('POST', '/v1/login', {
              body: { email: people[who].email, password: people[who].password },
            })
          ).status,
        ).toBe(200);
      }
      // The same file gives the API URL to the commands that call it.
      const status = await cli(['status', '00000000-0000-0000-0000-000000000000'], { cwd });
      expect(status.stderr).toContain(`not logged in (no session in ${path.join(cwd, '.data', 'cli-session.json')})`);
      expect(status.stderr).toContain(`gangway login --email E --password-stdin --api ${stack.url}`);
    });

    it('refuses an empty password, a second user with the same email, and says so when the schema is missing', async () => {
      const env = { DATABASE_URL: stack.db.url };
      const empty = await cli(
        ['users', 'add', '--email', 'empty@gangway.example', '--role', 'staff', '--password-stdin'],
        { stdin: '\n', env },
      );
      expect(empty.code).toBe(2);
      expect(empty.stderr).toContain('the password on standard input is empty');

      const noFlag = await cli(['users', 'add', '--email', 'noflag@gangway.example', '--role', 'staff'], {
        stdin: 'secret',
        env,
      });
      expect(noFlag.code).toBe(2);
      expect(noFlag.stderr).toContain('--password-stdin');

      for (const [weak, why] of [
        ['secret', 'at least 12 characters'],
        ['1qaz2wsx3edc', 'common passwords'],
      ]) {
        const refused = await cli(
          ['users', 'add', '--email', 'weak@gangway.example', '--role', 'staff', '--password-stdin'],
          { stdin: weak, env },
        );
        expect(refused.code).toBe(2);
        expect(refused.stderr).toContain(why);
      }

      const twice = await cli(
        ['users', 'add', '--email', people.approver.email.toUpperCase(), '--role', 'staff', '--password-stdin'],
        { stdin: 'a long enough secret', env },
      );
      expect(twice.code).toBe(2);
      expect(twice.stderr).toContain('exists already');

      const badRole = await cli(
        ['users', 'add', '--email', 'x@gangway.example', '--role', 'boss', '--password-stdin'],
        { stdin: 'a long enough secret', env },
      );
      expect(badRole.code).toBe(2);
      expect(badRole.stderr).toContain('Allowed choices are staff, approver, admin');

      await stack.db.pool.query('CREATE SCHEMA IF NOT EXISTS cli_unmigrated');
      const unmigrated = `${stack.db.url}?options=${encodeURIComponent('-c search_path=cli_unmigrated')}`;
      const noTable = await cli(
        ['users', 'add', '--email', 'nt@gangway.example', '--role', 'staff', '--password-stdin'],
        { stdin: 'a long enough secret', env: { DATABASE_URL: unmigrated } },
      );
      expect(noTable.code).toBe(2);
      expect(noTable.stderr).toContain('the users table does not exist');
      expect(noTable.stderr).toContain('npm start');

      const nowhere = await cli(
        ['users', 'add', '--email', 'nw@gangway.example', '--role', 'staff', '--password-stdin'],
        { stdin: 'a long enough secret', env: { GANGWAY_DATA_DIR: path.join(root, 'nothing-here') } },
      );
      expect(nowhere.code).toBe(2);
      expect(nowhere.stderr).toContain('DATABASE_URL is not set');
    });
    it('takes an optional first and last name, which users list and GET /v1/users show', async () => {
      const env = { DATABASE_URL: stack.db.url };
      const email = 'grace.hopper@gangway.example';
      const added = await cli(
        [
          'users',
          'add',
          '--email',
          email,
          '--role',
          'approver',
          '--first-name',
          ' Grace ',
          '--last-name',
          'Hopper',
          '--password-stdin',
        ],
        { stdin: 'a long enough secret', env },
      );
      expect(added).toMatchObject({ code: 0, stderr: '' });
      const listed = await cli(['users', 'list'], { env });
      expect(listed.stdout).toMatch(new RegExp(`^${email}\tapprover\tactive\tGrace Hopper$`, 'm'));
      const admin = await stack.addUser('admin');
      const items = (await stack.http('GET', '/v1/users', { token: admin.token })).body.items;
      expect(items).toEqual(
        expect.arrayContaining([expect.objectContaining({ email, firstName: 'Grace', lastName: 'Hopper' })]),
      );
      // Optional: people without names are listed with null.
      expect(items).toEqual(
        expect.arrayContaining([expect.objectContaining({ email: admin.email, firstName: null, lastName: null })]),
      );

      const blank = await cli(
        [
          'users',
          'add',
          '--email',
          'blank@gangway.example',
          '--role',
          'staff',
          '--first-name',
          ' ',
          '--password-stdin',
        ],
        { stdin: 'a long enough secret', env },
      );
      expect(blank.code).toBe(2);
      expect(blank.stderr).toContain('--first-name takes 1 to 100 characters');
      const { rows } = await stack.db.pool.query('SELECT 1 FROM users WHERE email = $1', ['blank@gangway.example']);
      expect(rows).toEqual([]);
    });
  });

  describe('login', () => {
    it('keeps the token pair in a private session file and prints no token', async () => {
      for (const who of ['staff', 'approver', 'other'] as const) {
        const res = await as(who, ['login', '--email', people[who].email, '--password-stdin'], {
          stdin: `${people[who].password}\n`,
        });
        expect(res).toMatchObject({ code: 0, stderr: '' });
        expect(res.stdout).toContain(`Logged in to ${stack.url} as ${people[who].email}`);
        const info = await stat(sessionFile(who));
        expect(info.mode & 0o777).toBe(0o600);
        const session = JSON.parse(await readFile(sessionFile(who), 'utf8'));
        expect(session).toMatchObject({
          apiUrl: stack.url,
          email: people[who].email,
          accessToken: expect.any(String),
          refreshToken: expect.any(String),
        });
        expect(res.stdout).not.toContain(session.accessToken);
        expect(res.stdout).not.toContain(session.refreshToken);
        expect(res.stdout).not.toContain(people[who].password);
      }
    });

    it('exits 2 with the 401 detail on a wrong password, keeping no session', async () => {
      const dir = path.join(root, 'wrong-password');
      const res = await cli(['login', '--email', people.staff.email, '--password-stdin'], {
        stdin: 'not it',
        env: { GANGWAY_DATA_DIR: dir, GANGWAY_API_URL: stack.url },
      });
      expect(res.code).toBe(2);
      expect(res.stderr).toContain('(401): The email or password is wrong');
      expect(res.stderr).not.toContain('not it');
      await expect(stat(path.join(dir, 'cli-session.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    });
  });

  describe('an onboarding through the CLI', () => {
    let id: string;
    let partnerProvidedId: string;

    it('onboard starts it and follows the progress until it waits for the approver (exit 0)', async () => {
      const body = startBody({ approverEmail: people.approver.email });
      partnerProvidedId = body.tenant.partnerProvidedId;
      const file = await writeJson('onboarding.json', body);
      const res = await as('staff', ['onboard', '--file', file]);
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      id = /^Started onboarding ([0-9a-f-]{36})/m.exec(res.stdout)![1];
      const lines = res.stdout.split('\n');
      for (const line of [
        '✓ CREATE_TENANT',
        '✓ CREATE_INTEGRATION_USER',
        '✓ ISSUE_CLIENT_CREDENTIALS',
        `… REQUEST_APPROVAL waiting for ${people.approver.email}`,
        'status AWAITING_APPROVAL',
      ]) {
        expect(lines).toContain(line);
      }
      // In the order it happened, ending with what the approver has to do.
      expect(lines.indexOf('✓ CREATE_TENANT')).toBeLessThan(lines.indexOf('✓ ISSUE_CLIENT_CREDENTIALS'));
      expect(lines.indexOf('✓ ISSUE_CLIENT_CREDENTIALS')).toBeLessThan(lines.indexOf('status AWAITING_APPROVAL'));
      expect(res.stdout).toContain(`ORDER_MANAGEMENT awaits ${people.approver.email}`);
      expect(res.stdout).toContain(`gangway approve ${id} --subscription S`);
    });

    it('status shows the view readably, and --json prints the API’s JSON', async () => {
      const readable = await as('staff', ['status', id]);
      expect(readable).toMatchObject({ code: 0, stderr: '' });
      expect(readable.stdout).toContain(`Onboarding ${id}`);
      expect(readable.stdout).toMatch(/status\s+AWAITING_APPROVAL/);
      expect(readable.stdout).toMatch(/✓\s+CREATE_TENANT\s+DONE/);
      expect(readable.stdout).toMatch(new RegExp(`ORDER_MANAGEMENT\\s+PENDING\\s+awaits ${people.approver.email}`));

      const json = await as('staff', ['status', id, '--json']);
      expect(json.code).toBe(0);
      const view = JSON.parse(json.stdout);
      expect(view).toMatchObject({ id, status: 'AWAITING_APPROVAL', tenant: { partnerProvidedId } });
      expect(view.approvals.map((a: any) => [a.subscription, a.status])).toEqual([
        ['ORDER_MANAGEMENT', 'PENDING'],
        ['INVOICING', 'PENDING'],
      ]);
    });

    it('approve by an approver it is not assigned to exits 2 with the 403 detail', async () => {
      const res = await as('other', ['approve', id, '--subscription', 'ORDER_MANAGEMENT']);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain('Forbidden (403): ORDER_MANAGEMENT is assigned to another approver');
      const status = await as('other', ['status', id]);
      expect(status.code).toBe(2);
      expect(status.stderr).toContain('(403)');
    });

    it('approve as the assigned approver moves it on; status shows the decisions', async () => {
      const ok = await as('approver', ['approve', id, '--subscription', 'ORDER_MANAGEMENT', '--comment', 'fine by me']);
      expect(ok).toMatchObject({ code: 0, stderr: '' });
      expect(ok.stdout).toContain(`ORDER_MANAGEMENT APPROVED by ${people.approver.email}`);
      const no = await as('approver', [
        'approve',
        id,
        '--subscription',
        'invoicing',
        '--reject',
        '--comment',
        'not in this contract',
      ]);
      expect(no).toMatchObject({ code: 0, stderr: '' });
      expect(no.stdout).toContain('INVOICING REJECTED');

      // Changing a recorded decision is a conflict.
      const change = await as('approver', ['approve', id, '--subscription', 'INVOICING']);
      expect(change.code).toBe(2);
      expect(change.stderr).toContain('(409)');

      const view = await pollUntil(
        async () => JSON.parse((await as('approver', ['status', id, '--json'])).stdout),
        (v) => v.status === 'COMPLETED',
        { intervalMs: 200 },
      );
      expect(view.status).toBe('COMPLETED');

      const readable = await as('approver', ['status', id]);
      expect(readable.code).toBe(0);
      expect(readable.stdout).toMatch(/status\s+COMPLETED/);
      expect(readable.stdout).toMatch(
        new RegExp(`ORDER_MANAGEMENT\\s+APPROVED\\s+by ${people.approver.email} at \\S+ \\S+\\s+“fine by me”`),
      );
      expect(readable.stdout).toMatch(/INVOICING\s+REJECTED\s+by .*“not in this contract”/);
      expect(readable.stdout).toMatch(/✓\s+DELIVER_KIT\s+DONE/);
    });

    it('onboard exits 2 when the API refuses the start (a second first onboarding of a live tenant is 409)', async () => {
      const file = await writeJson(
        'again.json',
        startBody({
          approverEmail: people.approver.email,
          tenant: { partnerProvidedId, name: 'Acme again', plan: 'TRADE' },
        }),
      );
      const res = await as('staff', ['onboard', '--file', file]);
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(new RegExp(`Conflict \\(409\\): tenant ${partnerProvidedId} is live`));
    });

    it('keeps the webhook secret, shown once by the API, in a private file instead of printing it', async () => {
      const file = await writeJson(
        'with-webhook.json',
        startBody({
          approverEmail: people.approver.email,
          notify: { email: 'ops@acme.example', webhookUrl: 'http://127.0.0.1:9/hook' },
        }),
      );
      const res = await as('staff', ['onboard', '--file', file]);
      expect(res.code).toBe(0);
      const started = /^Started onboarding ([0-9a-f-]{36})/m.exec(res.stdout)![1];
      const secretFile = path.join(people.staff.dir, `webhook-secret-${started}.txt`);
      expect(res.stdout).toContain(`is in ${secretFile} (mode 0600)`);
      expect((await stat(secretFile)).mode & 0o777).toBe(0o600);
      const secret = (await readFile(secretFile, 'utf8')).trim();
      expect(secret).toMatch(/^whsec_/);
      expect(res.stdout).not.toContain(secret);
    });

    it('an invalid file exits 2 naming each field and its problem', async () => {
      const file = await writeJson(
        'invalid.json',
        startBody({
          approverEmail: people.approver.email,
          subscriptions: ['CONTROL_TOWER'],
          notify: { email: 'not-an-email' },
        }),
      );
      const res = await as('staff', ['onboard', '--file', file]);
      expect(res.code).toBe(2);
      expect(res.stdout).toBe('');
      expect(res.stderr).toContain('Invalid request (400)');
      expect(res.stderr).toContain(
        '  subscriptions.0: CONTROL_TOWER is two subscriptions: ask for CONTROL_TOWER_ORDERS or CONTROL_TOWER_INVOICING',
      );
      expect(res.stderr).toMatch(/^ {2}notify\.email: /m);

      const notJson = path.join(root, 'not.json');
      await writeFile(notJson, '{ "tenant": ');
      const broken = await as('staff', ['onboard', '--file', notJson]);
      expect(broken.code).toBe(2);
      expect(broken.stderr).toContain('not.json is not valid JSON');

      const missing = await as('staff', ['onboard', '--file', path.join(root, 'missing.json')]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('no such file');
    });
  });

  describe('day-2 commands', () => {
    /** Polls `gangway status --json` until the onboarding has the status, or fails after 20 s. */
    async function untilStatus(id: string, status: string) {
      const view = await pollUntil(
        async () => JSON.parse((await as('staff', ['status', id, '--json'])).stdout),
        (v) => v.status === status,
        { intervalMs: 200 },
      );
      if (view.status !== status) throw new Error(`onboarding ${id} is ${view.status}, not ${status}`);
      return view;
    }

    /** Polls `gangway audit --json` until it holds the action (the caller's assertions then check it). */
    const auditWith = (id: string, action: string) =>
      pollUntil(
        async () => JSON.parse((await as('staff', ['audit', id, '--json'])).stdout),
        (trail) => trail.items.some((e: any) => e.action === action),
        { intervalMs: 200 },
      );

    it('onboard tries again with the same Idempotency-Key when the answer is lost: one onboarding, the secret kept', async () => {
      // A proxy that lets the first start reach the API, then drops the connection before the answer.
      const keys: (string | undefined)[] = [];
      let drop = 1;
      const forward = async (req: http.IncomingMessage, res: http.ServerResponse) => {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const headers: Record<string, string> = {};
        for (const name of ['authorization', 'content-type', 'accept', 'idempotency-key'])
          if (req.headers[name]) headers[name] = String(req.headers[name]);
        const upstream = await fetch(`${stack.url}${req.url}`, {
          method: req.method,
          headers,
          body: req.method === 'GET' ? undefined : Buffer.concat(chunks),
        });
        const answer = Buffer.from(await upstream.arrayBuffer());
        if (req.method === 'POST' && req.url === '/v1/onboardings') {
          keys.push(req.headers['idempotency-key'] as string | undefined);
          if (drop-- > 0) return req.socket.destroy();
        }
        res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'text/plain' });
        res.end(answer);
      };
      const proxy = http.createServer((req, res) => void forward(req, res));
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      try {
        const login = await stack.http('POST', '/v1/login', {
          body: { email: people.staff.email, password: people.staff.password },
        });
        const body = startBody({
          approverEmail: people.approver.email,
          notify: { email: 'ops@acme.example', webhookUrl: 'http://127.0.0.1:9/hook' },
        });
        const file = await writeJson('lost-answer.json', body);
        const res = await as('staff', ['onboard', '--file', file, '--json'], {
          env: {
            GANGWAY_API_URL: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
            GANGWAY_TOKEN: (login.body as { accessToken: string }).accessToken,
          },
        });
        expect(res.code).toBe(0);
        expect(res.stderr).toContain('trying again with the same Idempotency-Key');
        expect(keys).toHaveLength(2);
        expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
        expect(keys[1]).toBe(keys[0]);

        const out = JSON.parse(res.stdout);
        expect(out).toMatchObject({ status: 'RUNNING', view: { status: 'AWAITING_APPROVAL' } });
        expect(out.webhookSecret).toBeUndefined();
        expect((await readFile(out.webhookSecretFile, 'utf8')).trim()).toMatch(/^whsec_/);
        const { rows } = await stack.db.pool.query(
          `SELECT id FROM onboardings WHERE view->'tenant'->>'partnerProvidedId' = $1`,
          [body.tenant.partnerProvidedId],
        );
        expect(rows).toEqual([{ id: out.id }]);
      } finally {
        await new Promise((resolve) => proxy.close(resolve));
      }
    });

    it('list finds onboardings by tenant and status; --json prints the page', async () => {
      const body = startBody({ approverEmail: people.approver.email });
      const started = await as('staff', ['onboard', '--file', await writeJson('listed.json', body), '--json']);
      const { id } = JSON.parse(started.stdout);

      const readable = await as('staff', ['list', '--tenant', body.tenant.partnerProvidedId]);
      expect(readable).toMatchObject({ code: 0, stderr: '' });
      expect(readable.stdout).toMatch(
        new RegExp(`^${id}\\s+AWAITING_APPROVAL\\s+${body.tenant.partnerProvidedId}`, 'm'),
      );

      const page = JSON.parse((await as('staff', ['list', '--status', 'awaiting_approval', '--json'])).stdout);
      expect(page.items.map((o: any) => o.id)).toContain(id);
      expect(page.items.every((o: any) => o.status === 'AWAITING_APPROVAL')).toBe(true);

      const none = await as('staff', ['list', '--tenant', body.tenant.partnerProvidedId, '--status', 'COMPLETED']);
      expect(none.stdout).toBe('no onboardings match\n');

      const bad = await as('staff', ['list', '--limit', '0']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('a whole number from 1 to 100');
    });

    it('cancel ends an open onboarding CANCELLED; a second cancel is a 409, as JSON with --json', async () => {
      const body = startBody({ approverEmail: people.approver.email });
      const { id } = JSON.parse(
        (await as('staff', ['onboard', '--file', await writeJson('cancelled.json', body), '--json'])).stdout,
      );
      const res = await as('staff', ['cancel', id, '--reason', 'customer withdrew']);
      expect(res).toMatchObject({ code: 0, stderr: '' });
      expect(res.stdout).toContain(`Cancellation of onboarding ${id} requested`);
      const view = await untilStatus(id, 'CANCELLED');
      expect(view.reason).toContain('customer withdrew');

      const again = await as('staff', ['cancel', id, '--reason', 'twice', '--json']);
      expect(again.code).toBe(2);
      expect(again.stdout).toBe('');
      expect(JSON.parse(again.stderr)).toMatchObject({ status: 409, detail: expect.stringContaining('CANCELLED') });
    });

    it('audit prints who decided what, oldest first', async () => {
      const body = startBody({ approverEmail: people.approver.email, subscriptions: ['ORDER_MANAGEMENT'] });
      const { id } = JSON.parse(
        (await as('staff', ['onboard', '--file', await writeJson('audited.json', body), '--json'])).stdout,
      );
      const decided = await as('approver', ['approve', id, '--subscription', 'ORDER_MANAGEMENT', '--json']);
      expect(JSON.parse(decided.stdout)).toMatchObject({ subscription: 'ORDER_MANAGEMENT', status: 'APPROVED' });

      const trail = await auditWith(id, 'APPROVED');
      const actions: string[] = trail.items.map((e: any) => e.action);
      expect(actions[0]).toBe('ONBOARDING_STARTED');
      expect(actions.indexOf('ASSIGNED')).toBeGreaterThan(0);
      expect(actions.indexOf('APPROVED')).toBeGreaterThan(actions.indexOf('ASSIGNED'));

      const readable = await as('staff', ['audit', id]);
      expect(readable).toMatchObject({ code: 0, stderr: '' });
      const lines = readable.stdout.trim().split('\n');
      // Oldest first, so the lines the JSON had come first even if the onboarding has moved on since.
      expect(lines[0]).toMatch(/ONBOARDING_STARTED/);
      expect(lines[actions.indexOf('ASSIGNED')]).toMatch(/ASSIGNED\s+ORDER_MANAGEMENT/);
      expect(lines[actions.indexOf('APPROVED')]).toMatch(
        new RegExp(`${people.approver.email}\\s+APPROVED\\s+ORDER_MANAGEMENT`),
      );
    });

    it('resend mails a fresh approval request; nothing to resend or an unknown client exits 2 with the problem', async () => {
      const body = startBody({ approverEmail: people.approver.email, subscriptions: ['ORDER_MANAGEMENT'] });
      const { id } = JSON.parse(
        (await as('staff', ['onboard', '--file', await writeJson('resent.json', body), '--json'])).stdout,
      );
      const sent = await as('staff', ['resend', id, '--kind', 'approval_request']);
      expect(sent).toMatchObject({ code: 0, stderr: '' });
      expect(sent.stdout).toContain('A fresh APPROVAL_REQUEST link is being mailed');
      const trail = await auditWith(id, 'RESENT');
      expect(trail.items.find((e: any) => e.action === 'RESENT')).toMatchObject({ actor: people.staff.email });

      const kit = await as('staff', ['resend', id, '--kind', 'KIT', '--json']);
      expect(kit.code).toBe(2);
      expect(JSON.parse(kit.stderr)).toMatchObject({ status: 409 });
      const noClient = await as('staff', ['resend', id, '--kind', 'COLLECTOR']);
      expect(noClient.code).toBe(2);
      expect(noClient.stderr).toContain('--client');
      const unknown = await as('staff', ['retry-client', id, 'nobody']);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('(404)');
    });

    it('offboard --wait takes a live customer off and prints each step; the tenant then refuses a second one', async () => {
      const body = startBody({ approverEmail: people.approver.email, subscriptions: ['ORDER_MANAGEMENT'] });
      const { id } = JSON.parse(
        (await as('staff', ['onboard', '--file', await writeJson('leaving.json', body), '--json'])).stdout,
      );
      await as('approver', ['approve', id, '--subscription', 'ORDER_MANAGEMENT']);
      await untilStatus(id, 'COMPLETED');

      const res = await as('staff', [
        'offboard',
        body.tenant.partnerProvidedId,
        '--reason',
        'contract ended',
        '--wait',
        '--interval',
        '100',
      ]);
      expect(res).toMatchObject({ code: 0, stderr: '' });
      expect(res.stdout).toMatch(new RegExp(`^Offboarding \\S+ of ${body.tenant.partnerProvidedId} COMPLETED$`, 'm'));
      expect(res.stdout).toMatch(/^ {2}REFUSE_TOKENS DONE/m);
      expect(res.stdout).toMatch(/^ {2}ARCHIVE_TENANT DONE/m);

      const json = await as('staff', ['offboard', body.tenant.partnerProvidedId, '--reason', 'again', '--json']);
      expect(json.code).toBe(2);
      expect(JSON.parse(json.stderr).status).toBeGreaterThanOrEqual(400);
    });

    it('--help names the exit codes', async () => {
      const res = await cli(['--help']);
      expect(res.code).toBe(0);
      expect(res.stdout).toMatch(/Exit codes:\n\s+0 .*\n\s+1 .*ended badly.*\n\s+2 /);
      for (const command of ['list', 'cancel', 'resend', 'retry-client', 'offboard', 'audit'])
        expect(res.stdout).toMatch(new RegExp(`^\\s+${command} `, 'm'));
    });
  });

  describe('tokens', () => {
    it('refreshes a refused access token once and stores the new pair; a dead session asks to log in again', async () => {
      const before = JSON.parse(await readFile(sessionFile('staff'), 'utf8'));
      await writeFile(sessionFile('staff'), JSON.stringify({ ...before, accessToken: 'expired-or-garbage' }));
      const res = await as('staff', ['status', '00000000-0000-0000-0000-000000000000']);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain('Not found (404)'); // got past authentication
      const after = JSON.parse(await readFile(sessionFile('staff'), 'utf8'));
      expect(after.accessToken).not.toBe('expired-or-garbage');
      expect(after.refreshToken).not.toBe(before.refreshToken);
      expect((await stat(sessionFile('staff'))).mode & 0o777).toBe(0o600);

      await writeFile(
        sessionFile('staff'),
        JSON.stringify({ ...after, accessToken: 'garbage', refreshToken: 'also-garbage' }),
      );
      const dead = await as('staff', ['status', '00000000-0000-0000-0000-000000000000']);
      expect(dead.code).toBe(2);
      expect(dead.stderr).toContain(`the session of ${people.staff.email} has expired or was revoked`);
      expect(dead.stderr).toContain(`gangway login --email ${people.staff.email} --password-stdin --api ${stack.url}`);
    });

    it('GANGWAY_TOKEN overrides the session; a session is never sent to another API', async () => {
      const staff = await stack.addUser('staff');
      const res = await cli(['status', '00000000-0000-0000-0000-000000000000', '--api', stack.url], {
        env: { GANGWAY_TOKEN: staff.token, GANGWAY_DATA_DIR: path.join(root, 'empty') },
      });
      expect(res.stderr).toContain('Not found (404)');
      expect(res.stderr).not.toContain(staff.token);

      const refused = await cli(['status', 'x', '--api', stack.url], {
        env: { GANGWAY_TOKEN: 'garbage', GANGWAY_DATA_DIR: path.join(root, 'empty') },
      });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('the API refused the token in GANGWAY_TOKEN');

      const elsewhere = await as('approver', ['status', 'x', '--api', 'http://127.0.0.1:9']);
      expect(elsewhere.code).toBe(2);
      expect(elsewhere.stderr).toContain(`the stored session is for ${stack.url}, not http://127.0.0.1:9`);
    });
  });

  describe('users list, disable, enable', () => {
    it('disables a user straight in PostgreSQL: their login and their CLI session stop; enable restores the login', async () => {
      const env = { DATABASE_URL: stack.db.url };
      const password = 'a long enough password 1';
      const user = await stack.addUser('staff', { password });
      const listed = await cli(['users', 'list', '--json'], { env });
      expect(listed.code).toBe(0);
      expect(JSON.parse(listed.stdout)).toEqual(
        expect.arrayContaining([expect.objectContaining({ email: user.email, role: 'staff', disabledAt: null })]),
      );
      const session = await stack.http('POST', '/v1/login', { body: { email: user.email, password } });
      // Used once, the token's user is remembered as active by the API process (api/active-users.ts).
      expect((await stack.http('GET', '/v1/onboardings', { token: user.token })).status).toBe(200);
      const disabled = await cli(['users', 'disable', '--email', user.email], { env });
      expect(disabled).toMatchObject({ code: 0, stdout: `${user.email} disabled\n` });
      expect((await stack.http('POST', '/v1/login', { body: { email: user.email, password } })).status).toBe(401);
      expect(
        (await stack.http('POST', '/v1/token/refresh', { body: { refreshToken: session.body.refreshToken } })).status,
      ).toBe(401);
      expect((await stack.http('GET', '/v1/onboardings', { token: user.token })).status).toBe(401);
      expect((await cli(['users', 'enable', '--email', user.email], { env })).code).toBe(0);
      expect((await stack.http('POST', '/v1/login', { body: { email: user.email, password } })).status).toBe(200);
      expect((await cli(['users', 'disable', '--email', 'nobody@x.example'], { env })).code).not.toBe(0);
    });
  });
});
