import { randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OnboardingView } from '../../domain';
import { ApiError, NetworkError, type GangwayApi } from '../gangway-api';
import { CliError, EXIT, type Context } from '../context';
import { changes, ENDED_BADLY, ENDED_WELL, waitingHint, WAITING_ON_A_PERSON } from '../format';
import { resolveApiUrl } from '../runtime-file';
import { authenticatedApi } from '../session';

export interface OnboardOptions {
  file: string;
  interval: number;
  idempotencyKey?: string;
  json?: boolean;
  api?: string;
}

interface Started {
  id: string;
  workflowId: string;
  status: string;
  webhookSecret?: string;
}

export const onboardingPath = (id: string) => `/v1/onboardings/${encodeURIComponent(id)}`;

/** How long following tolerates an API that does not answer (a restart) before giving up. */
const OUTAGE_TOLERANCE_MS = 30_000;

/**
 * Starts an onboarding from a JSON file and follows it, a line per change, until it waits on a
 * person (exit 0), completes (0) or ends otherwise (1). With --json, prints one object at the end.
 */
export async function onboard(ctx: Context, options: OnboardOptions): Promise<number> {
  const body = await readStartBody(ctx, options.file);
  const api = await authenticatedApi(ctx, await resolveApiUrl(ctx, options.api));
  const { webhookSecret, ...started } = await start(ctx, api, body, options.idempotencyKey ?? randomUUID());
  const say = (line: string) => !options.json && ctx.out(line);
  say(`Started onboarding ${started.id} (workflow ${started.workflowId})`);
  let webhookSecretFile: string | undefined;
  if (webhookSecret) {
    webhookSecretFile = await keepWebhookSecret(ctx, started.id, webhookSecret);
    say(`The webhook signing secret, which the API shows only once, is in ${webhookSecretFile} (mode 0600).`);
  }
  const { code, view } = await follow(ctx, api, started.id, options.interval, { quiet: options.json });
  if (options.json) ctx.out(JSON.stringify({ ...started, webhookSecretFile, view }, null, 2));
  return code;
}

/** Attempts at the start, on a network failure or a 5xx, all with the same Idempotency-Key. */
const START_ATTEMPTS = 4;

/**
 * POSTs the start with an Idempotency-Key and tries again with the same key when the answer is lost
 * (network failure) or the API is briefly unavailable (5xx): the API answers a repeated key with the
 * first answer, so the one-time webhook secret is not lost and no second onboarding starts.
 */
async function start(ctx: Context, api: GangwayApi, body: unknown, key: string): Promise<Started> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await api.call<Started>('POST', '/v1/onboardings', { body, headers: { 'idempotency-key': key } })).body;
    } catch (err) {
      const transient = err instanceof NetworkError || (err instanceof ApiError && err.status >= 500);
      if (!transient) throw err;
      if (attempt === START_ATTEMPTS)
        throw new CliError(`${(err as Error).message} (after ${attempt} attempts)`, [
          `the onboarding may have started: run the same command with --idempotency-key ${key} to get its answer`,
        ]);
      ctx.err(`${(err as Error).message}; trying again with the same Idempotency-Key`);
      await sleep(250 * 2 ** attempt);
    }
  }
}

async function readStartBody(ctx: Context, file: string): Promise<unknown> {
  const where = path.resolve(ctx.io.cwd, file);
  let text: string;
  try {
    text = await readFile(where, 'utf8');
  } catch (err) {
    throw new CliError(
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}

async function keepWebhookSecret(ctx: Context, id: string, secret: string): Promise<string> {
  const file = path.join(ctx.dataDir, `webhook-secret-${id}.txt`);
  await mkdir(ctx.dataDir, { recursive: true, mode: 0o700 });
  await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(file, 0o600);
  return file;
}

export async function follow(
  ctx: Context,
  api: GangwayApi,
  id: string,
  intervalMs: number,
  { quiet = false } = {},
): Promise<{ code: number; view: OnboardingView }> {
  const say = (line: string) => !quiet && ctx.out(line);
  let previous: OnboardingView | undefined;
  let outageSince: number | undefined;
  for (;;) {
    let view: OnboardingView;
    try {
      view = (await api.call<OnboardingView>('GET', onboardingPath(id))).body;
      if (outageSince !== undefined) ctx.err('The API answers again.');
      outageSince = undefined;
    } catch (err) {
      const transient = err instanceof NetworkError || (err instanceof ApiError && err.status >= 500);
      if (!transient) throw err;
      if (outageSince === undefined) {
        outageSince = Date.now();
        ctx.err(
          `${err.message}; retrying for up to ${OUTAGE_TOLERANCE_MS / 1000}s (the onboarding carries on regardless)`,
        );
      } else if (Date.now() - outageSince > OUTAGE_TOLERANCE_MS) {
        throw err;
      }
      await sleep(intervalMs);
      continue;
    }

    for (const line of changes(previous, view)) say(line);
    previous = view;

    if (WAITING_ON_A_PERSON.includes(view.status)) {
      for (const line of waitingHint(view)) say(line);
      return { code: EXIT.ok, view };
    }
    if (ENDED_WELL.includes(view.status)) {
      say(`Onboarding ${id} completed; the integration kit link went to the notify address.`);
      return { code: EXIT.ok, view };
    }
    if (ENDED_BADLY.includes(view.status)) {
      say(`Onboarding ${id} ended ${view.status}${view.reason ? `: ${view.reason}` : ''}.`);
      return { code: EXIT.ended, view };
    }
    await sleep(intervalMs);
  }
}
