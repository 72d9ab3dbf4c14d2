import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';

/** A mail as the local mail catcher saw it: enough to find a recipient's link and check its subject. */
export interface ReceivedMail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  messageId: string;
  receivedAt: Date;
}

/** `<epoch ms>-<n>.eml`: sortable by arrival, n breaking ties within one millisecond. */
export function emlFileName(receivedAt: Date, n: number): string {
  return `${receivedAt.getTime()}-${n}.eml`;
}
const EML_FILE = /^(\d+)-(\d+)\.eml$/;

/**
 * Parses one raw RFC 5322 message. Recipients come from the SMTP envelope when there is one (it
 * includes Bcc), otherwise from the To and Cc headers.
 */
export async function parseReceivedMail(
  raw: Buffer,
  receivedAt: Date,
  envelope?: { from?: string; to: string[] },
): Promise<ReceivedMail> {
  const parsed = await simpleParser(raw);
  const headerTo = [parsed.to, parsed.cc].flatMap(addresses);
  return {
    to: envelope?.to.length ? envelope.to : headerTo,
    from: parsed.from?.value[0]?.address ?? envelope?.from ?? '',
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    messageId: parsed.messageId ?? '',
    receivedAt,
  };
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  if (!field) return [];
  return (Array.isArray(field) ? field : [field])
    .flatMap((group) => group.value)
    .map((a) => a.address)
    .filter((a): a is string => Boolean(a));
}

/** Reads the mails a sink wrote into dir (see startMailSink's dir option), oldest first, newest last. */
export async function readMailDir(dir: string): Promise<ReceivedMail[]> {
  const files = (await readdir(dir))
    .map((name) => ({ name, match: EML_FILE.exec(name) }))
    .filter((f): f is { name: string; match: RegExpExecArray } => f.match !== null)
    .map((f) => ({ name: f.name, at: Number(f.match[1]), n: Number(f.match[2]) }))
    .sort((a, b) => a.at - b.at || a.n - b.n);
  return Promise.all(files.map(async (f) => parseReceivedMail(await readFile(path.join(dir, f.name)), new Date(f.at))));
}
