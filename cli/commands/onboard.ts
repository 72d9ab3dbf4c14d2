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
 * person (exit 0), completes (0) or ends otherwise (1).
 */
export async function onboard(ctx: Context, options: OnboardOptions): Promise<number> {
  const body = await readStartBody(ctx, options.file);
  const api = await authenticatedApi(ctx, await resolveApiUrl(ctx, options.api));
  const { body: started } = await api.call<Started>('POST', '/v1/onboardings', { body });
  ctx.out(`Started onboarding ${started.id} (workflow ${started.workflowId})`);
  if (started.webhookSecret) {
    const file = await keepWebhookSecret(ctx, started.id, started.webhookSecret);
    ctx.out(`The webhook signing secret, which the API shows only once, is in ${file} (mode 0600).`);
  }
  return follow(ctx, api, started.id, options.interval);
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

export async function follow(ctx: Context, api: GangwayApi, id: string, intervalMs: number): Promise<number> {
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

    for (const line of changes(previous, view)) ctx.out(line);
    previous = view;

    if (WAITING_ON_A_PERSON.includes(view.status)) {
      for (const line of waitingHint(view)) ctx.out(line);
      return EXIT.ok;
    }
    if (ENDED_WELL.includes(view.status)) {
      ctx.out(`Onboarding ${id} completed; the integration kit link went to the notify address.`);
      return EXIT.ok;
    }
    if (ENDED_BADLY.includes(view.status)) {
      ctx.out(`Onboarding ${id} ended ${view.status}${view.reason ? `: ${view.reason}` : ''}.`);
      return EXIT.ended;
    }
    await sleep(intervalMs);
  }
}
