import { mkdir, rename, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { emlFileName, parseReceivedMail, type ReceivedMail } from './received-mail';

export { readMailDir, type ReceivedMail } from './received-mail';

export interface MailSink {
  port: number;
  /** smtp://host:port, ready to be used as SMTP_URL. */
  url: string;
  messages(): ReceivedMail[];
  /** Resolves with the first mail, already received or still to come, that matches. */
  waitFor(predicate: (m: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

interface Waiter {
  predicate: (m: ReceivedMail) => boolean;
  resolve: (m: ReceivedMail) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * A local SMTP server that keeps what it receives, for tests and for `npm start`, where it stands in
 * for a real mail server so a developer can read the collector and kit links. It accepts anything
 * from anyone, so it only ever listens on loopback unless told otherwise.
 */
export async function startMailSink(options: { port?: number; host?: string; dir?: string } = {}): Promise<MailSink> {
  const host = options.host ?? '127.0.0.1';
  const { dir } = options;
  if (dir) await mkdir(dir, { recursive: true });
  const received: ReceivedMail[] = [];
  let waiters: Waiter[] = [];
  let count = 0;

  const keep = (mail: ReceivedMail) => {
    received.push(mail);
    const matched = waiters.filter((w) => w.predicate(mail));
    waiters = waiters.filter((w) => !matched.includes(w));
    for (const w of matched) {
      clearTimeout(w.timer);
      w.resolve(mail);
    }
  };

  const accept = async (raw: Buffer, session: SMTPServerSession) => {
    const receivedAt = new Date();
    const n = count++;
    if (dir) {
      // Written under a temporary name and renamed, so readMailDir never sees half a message.
      const file = path.join(dir, emlFileName(receivedAt, n));
      await writeFile(`${file}.part`, raw);
      await rename(`${file}.part`, file);
    }
    const { mailFrom, rcptTo } = session.envelope;
    keep(
      await parseReceivedMail(raw, receivedAt, {
        from: mailFrom ? mailFrom.address : undefined,
        to: rcptTo.map((r) => r.address),
      }),
    );
  };

  const server = new SMTPServer({
    authOptional: true,
    // No STARTTLS: its self-signed certificate would make clients refuse to send.
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    // A reverse DNS lookup of every client would stall each session on a network without DNS.
    disableReverseLookup: true,
    size: 10 * 1024 * 1024,
    closeTimeout: 1_000,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        accept(Buffer.concat(chunks), session).then(() => callback(), callback);
      });
    },
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    const listening = server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      // A sender that dies mid-session (a SIGKILLed worker) resets its connection; smtp-server reports
      // that as an 'error' on the server, which unhandled would take this process down with it.
      server.on('error', () => undefined);
      resolve((listening.address() as AddressInfo).port);
    });
  });

  return {
    port,
    url: `smtp://${host}:${port}`,
    messages: () => [...received],
    waitFor(predicate, timeoutMs = 10_000) {
      const already = received.find(predicate);
      if (already) return Promise.resolve(already);
      return new Promise<ReceivedMail>((resolve, reject) => {
        const waiter: Waiter = {
          predicate,
          resolve,
          reject,
          timer: setTimeout(() => {
            waiters = waiters.filter((w) => w !== waiter);
            reject(new Error(`no matching mail within ${timeoutMs}ms (${received.length} received)`));
          }, timeoutMs),
        };
        waiters.push(waiter);
      });
    },
    close() {
      for (const w of waiters) {
        clearTimeout(w.timer);
        w.reject(new Error('mail sink closed'));
      }
      waiters = [];
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
