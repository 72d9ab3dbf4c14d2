import type { Payload, PayloadCodec } from '@temporalio/common';
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { findTemporalCli } from '../../infra/temporal-cli';

/** Where the recorded histories are kept, each `NAME.json`. */
export const HISTORIES_DIR = path.join(__dirname, '..', 'fixtures', 'histories');

/**
 * The workflow id a history was recorded under, as its messages' proofs name it: a signal's proof is
 * checked against workflowInfo() on replay too (domain/message-proof.ts), so a replay must use the same.
 */
export function recordedWorkflowId(historyText: string): string | undefined {
  for (const [, data] of historyText.matchAll(/"data": "([A-Za-z0-9+/=]+)"/g)) {
    const proof = /"proof":\{"workflowId":"([^"]+)"/.exec(Buffer.from(data, 'base64').toString('utf8'));
    if (proof) return proof[1];
  }
  return undefined;
}

/**
 * With RECORD_HISTORIES=1, a test saves the history it produced as a replay fixture, exported by
 * the Temporal CLI in the JSON form the Web UI and Worker.runReplayHistories read. Payloads are
 * saved decoded by the stack's codec (in `show` mode: the SDK's own plaintext markers stay as they
 * are): its master key is random per test run, so an encrypted fixture could never be replayed.
 */
export async function recordHistory(workflowId: string, name: string, codec: PayloadCodec): Promise<void> {
  if (!process.env.RECORD_HISTORIES) return;
  const cli = await findTemporalCli({ projectRoot: path.join(__dirname, '..', '..') });
  const { stdout } = await promisify(execFile)(
    cli,
    ['workflow', 'show', '--workflow-id', workflowId, '--address', process.env.TEMPORAL_ADDRESS!, '--output', 'json'],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  await mkdir(HISTORIES_DIR, { recursive: true });
  await writeFile(
    path.join(HISTORIES_DIR, `${name}.json`),
    `${JSON.stringify(await decodePayloads(JSON.parse(stdout), codec), null, 2)}\n`,
  );
}

type JsonPayload = { metadata?: Record<string, string>; data?: string };
const isPayload = (v: unknown): v is JsonPayload =>
  !!v &&
  typeof v === 'object' &&
  !Array.isArray(v) &&
  'metadata' in v &&
  typeof (v as JsonPayload).metadata === 'object';

/** Every payload in the CLI's JSON (base64 metadata values and data) run through codec.decode. */
async function decodePayloads(value: unknown, codec: PayloadCodec): Promise<unknown> {
  if (isPayload(value)) {
    const payload: Payload = {
      metadata: Object.fromEntries(Object.entries(value.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
      data: Buffer.from(value.data ?? '', 'base64'),
    };
    const [decoded] = await codec.decode([payload]);
    return {
      metadata: Object.fromEntries(
        Object.entries(decoded.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      ),
      data: Buffer.from(decoded.data ?? new Uint8Array()).toString('base64'),
    };
  }
  if (Array.isArray(value)) return Promise.all(value.map((v) => decodePayloads(v, codec)));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await decodePayloads(v, codec)])),
    );
  }
  return value;
}
