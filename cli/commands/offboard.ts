import { setTimeout as sleep } from 'node:timers/promises';
import { EXIT, type Context } from '../context';
import type { GangwayApi } from '../gangway-api';
import { printResult } from '../output';
import { resolveApiUrl } from '../runtime-file';
import { authenticatedApi } from '../session';

interface OffboardingView {
  id: string;
  workflowId: string;
  status: 'RUNNING' | 'COMPLETED' | 'FAILED';
  steps: { name: string; status: string; detail?: string | null }[];
}

export interface OffboardOptions {
  reason: string;
  wait?: boolean;
  interval: number;
  json?: boolean;
  api?: string;
}

/**
 * Takes a customer's access away for good (a durable offboarding); with --wait, follows it until it
 * ends: exit 0 when COMPLETED, 1 when FAILED.
 */
export async function offboard(ctx: Context, tenant: string, options: OffboardOptions): Promise<number> {
  const api = await authenticatedApi(ctx, await resolveApiUrl(ctx, options.api));
  const { body: started } = await api.call<{ id: string; workflowId: string }>(
    'POST',
    `/v1/tenants/${encodeURIComponent(tenant)}/offboard`,
    { body: { reason: options.reason } },
  );
  if (!options.wait) {
    printResult(ctx, options, started, () => [
      `Offboarding ${started.id} of ${tenant} started (workflow ${started.workflowId}).`,
    ]);
    return EXIT.ok;
  }
  const view = await untilEnded(api, started.id, options.interval);
  printResult(ctx, options, view, () => [
    `Offboarding ${view.id} of ${tenant} ${view.status}`,
    ...view.steps.map((s) => `  ${s.name} ${s.status}${s.detail ? ` (${s.detail})` : ''}`),
  ]);
  return view.status === 'COMPLETED' ? EXIT.ok : EXIT.ended;
}

async function untilEnded(api: GangwayApi, id: string, intervalMs: number): Promise<OffboardingView> {
  for (;;) {
    const { body } = await api.call<OffboardingView>('GET', `/v1/offboardings/${encodeURIComponent(id)}`);
    if (body.status !== 'RUNNING') return body;
    await sleep(intervalMs);
  }
}
