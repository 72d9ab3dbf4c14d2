import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../lib/logger';
import { sendOnce } from '../../notify/mail-log';
import { readMailDir, startMailSink, type MailSink } from '../../infra/mail-sink';
import { createMailer, messageIdFor, type Mailer } from '../../notify/mailer';
import { createTestDatabase, type TestDatabase } from '../support/database';

const FROM = 'gangway <no-reply@gangway.localhost>';

describe('mailer and mail sink', () => {
  let db: TestDatabase;
  let sink: MailSink;
  let mailer: Mailer;
  const logLines: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    sink = await startMailSink({ port: 0 });
    const log = createLogger({ level: 'info' }, { write: (line: string) => logLines.push(line) });
    mailer = createMailer({ smtpUrl: sink.url, from: FROM, log });
  });
  afterAll(async () => {
    await mailer.close();
    await sink.close();
    await db.drop();
  });

  const countWithKey = (key: string) => sink.messages().filter((m) => m.messageId === messageIdFor(key)).length;

  it('delivers through SMTP with recipient, subject, text and a Message-ID derived from the key', async () => {
    const link = 'http://127.0.0.1:3000/collect/secret-token-abc';
    await mailer.send({
      to: 'ops@example.com',
      subject: 'Your collector link',
      text: `Open ${link}`,
      idempotencyKey: 'wf-1:collector',
    });

    const mail = await sink.waitFor((m) => m.subject === 'Your collector link');
    expect(mail.to).toEqual(['ops@example.com']);
    expect(mail.from).toBe('no-reply@gangway.localhost');
    expect(mail.text.trim()).toBe(`Open ${link}`);
    expect(mail.messageId).toBe(messageIdFor('wf-1:collector'));
    expect(sink.url).toBe(`smtp://127.0.0.1:${sink.port}`);

    const logged = logLines.join('');
    expect(logged).toContain('wf-1:collector');
    expect(logged).toContain('ops@example.com');
    expect(logged).not.toContain('secret-token-abc');
  });

  it('waitFor resolves for a mail that arrived before it was asked for', async () => {
    await mailer.send({ to: 'early@example.com', subject: 'Early', text: 'here already', idempotencyKey: 'early' });
    await sink.waitFor((m) => m.subject === 'Early');
    await expect(sink.waitFor((m) => m.to.includes('early@example.com'), 50)).resolves.toMatchObject({
      subject: 'Early',
    });
    await expect(sink.waitFor((m) => m.subject === 'Never sent', 50)).rejects.toThrow('no matching mail within 50ms');
  });

  it('sendOnce sends a key once, however often and however concurrently it is called', async () => {
    const mail = { to: 'kit@example.com', subject: 'Your integration kit', text: 'link', idempotencyKey: 'wf-2:kit' };
    await expect(sendOnce(db.pool, mailer, mail)).resolves.toEqual({ sent: true });
    await expect(sendOnce(db.pool, mailer, mail)).resolves.toEqual({ sent: false, reason: 'already sent' });

    const racing = { ...mail, idempotencyKey: 'wf-3:kit' };
    const results = await Promise.all([sendOnce(db.pool, mailer, racing), sendOnce(db.pool, mailer, racing)]);
    expect(results.filter((r) => r.sent)).toHaveLength(1);

    await sink.waitFor((m) => m.messageId === messageIdFor('wf-3:kit'));
    expect(countWithKey('wf-2:kit')).toBe(1);
    expect(countWithKey('wf-3:kit')).toBe(1);
    const { rows } = await db.pool.query(
      'SELECT recipient, subject, sent_at FROM mail_log WHERE idempotency_key = $1',
      ['wf-2:kit'],
    );
    expect(rows).toEqual([
      { recipient: 'kit@example.com', subject: 'Your integration kit', sent_at: expect.any(Date) },
    ]);
  });

  it('sendOnce leaves the mail unsent when SMTP fails, so a retry sends it', async () => {
    const down = await startMailSink();
    await down.close();
    const broken = createMailer({ smtpUrl: down.url, from: FROM, log: createLogger({ level: 'silent' }) });
    const mail = { to: 'retry@example.com', subject: 'Retry me', text: 'x', idempotencyKey: 'wf-4:retry' };

    await expect(sendOnce(db.pool, broken, mail)).rejects.toThrow();
    // The claim rolled back with the failed send: nothing recorded, nothing marked sent.
    const { rows } = await db.pool.query('SELECT sent_at FROM mail_log WHERE idempotency_key = $1', ['wf-4:retry']);
    expect(rows).toEqual([]);

    await expect(sendOnce(db.pool, mailer, mail)).resolves.toEqual({ sent: true });
    await sink.waitFor((m) => m.subject === 'Retry me');
    await broken.close();
  });

  it('writes each mail as an .eml file that readMailDir parses, newest last', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gangway-mail-'));
    const fileSink = await startMailSink({ dir });
    const fileMailer = createMailer({ smtpUrl: fileSink.url, from: FROM, log: createLogger({ level: 'silent' }) });
    try {
      await fileMailer.send({ to: 'a@example.com', subject: 'First', text: 'one', idempotencyKey: 'dir-1' });
      await fileMailer.send({ to: 'b@example.com', subject: 'Second', text: 'two', idempotencyKey: 'dir-2' });
      await fileSink.waitFor((m) => m.subject === 'Second');

      expect((await readdir(dir)).filter((f) => /^\d+-\d+\.eml$/.test(f))).toHaveLength(2);
      const mails = await readMailDir(dir);
      expect(mails.map((m) => [m.subject, m.to, m.text.trim(), m.messageId])).toEqual([
        ['First', ['a@example.com'], 'one', messageIdFor('dir-1')],
        ['Second', ['b@example.com'], 'two', messageIdFor('dir-2')],
      ]);
      expect(mails[0].receivedAt.getTime()).toBeLessThanOrEqual(mails[1].receivedAt.getTime());
    } finally {
      await fileMailer.close();
      await fileSink.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
