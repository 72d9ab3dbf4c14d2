import {
  condition,
  defineSignal,
  defineUpdate,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { createBaselineActivities } from '../baseline-activities';

/**
 * B0 and B1: a bare workflow with the onboarding's shape — the same number of activities, signals and
 * condition timers — and no product logic. B1 differs only in that its activities write to PostgreSQL.
 */
export const decideSignal = defineSignal('decide');
export const submittedSignal = defineSignal('submitted');
/** B4's decisions: an Update that answers once the workflow has counted it, as ours' decisions answer once recorded. */
export const recordDecisionUpdate = defineUpdate<void>('recordDecision');

export interface BaselineInput {
  decisions: number;
  clients: number;
  waitTimeoutMs: number;
  writes: boolean;
  /**
   * An experiment (BENCH_B2_LOCAL_PROJECTION=1, docs/performance.md): each step's read-model upsert as a
   * local activity after the step, carrying a view of the onboarding's size, as ours projects, instead of
   * inside the step's activity.
   */
  localProjection?: boolean;
  /**
   * An experiment (BENCH_B2_CARRIED_VIEW=1, docs/performance.md): each step's activity receives the view
   * it writes, of an onboarding's size, as ours' step activities carry theirs, so that B2's history
   * holds as many bytes of views as ours'.
   */
  carriedView?: boolean;
  /**
   * B3: B2 with the work ours does outside Temporal and PostgreSQL. The steps that mail in ours (the
   * approval request, each decision, the collector link, the kit) send one mail each, and the portal
   * check logs in to the portal over HTTP (bench/baseline-activities.ts).
   */
  outsideWork?: { mailTo: string };
}

const acts = proxyActivities<ReturnType<typeof createBaselineActivities>>({ startToCloseTimeout: '30s' });
const local = proxyLocalActivities<ReturnType<typeof createBaselineActivities>>({ startToCloseTimeout: '30s' });
/** About the size of an onboarding's view in the middle of its steps. */
const VIEW_FILLER = 'x'.repeat(3_000);

export async function baselineWorkflow(input: BaselineInput): Promise<void> {
  let decided = 0;
  let submitted = 0;
  setHandler(decideSignal, () => void decided++);
  setHandler(submittedSignal, () => void submitted++);
  setHandler(recordDecisionUpdate, () => void decided++);
  const id = workflowInfo().workflowId;
  let step = 0;
  const act = async (outside?: 'mail' | 'portal') => {
    if (!input.writes) return acts.noop();
    if (input.outsideWork && outside === 'mail')
      return acts.writeAndMail({ id, step: step++, to: input.outsideWork.mailTo });
    if (input.outsideWork && outside === 'portal') return acts.writeAndLogIn({ id, step: step++ });
    if (input.carriedView) {
      const at = step++;
      return acts.write({ id, step: at, view: { id, step: at, filler: VIEW_FILLER } });
    }
    if (!input.localProjection) return acts.write({ id, step: step++ });
    const at = step++;
    await acts.writeRow({ id, step: at });
    await local.writeView({ id, step: at, view: { id, step: at, filler: VIEW_FILLER } });
  };

  for (let i = 0; i < 3; i++) await act(); // tenant, integration user, client credentials
  await act('mail'); // ask the approver
  // Like the onboarding, each decision is announced as it arrives.
  for (let announced = 0; announced < input.decisions; announced++) {
    await condition(() => decided > announced, input.waitTimeoutMs);
    await act('mail');
  }
  await act(); // assign
  for (let c = 0; c < input.clients; c++) await act('mail'); // collector link
  await condition(() => submitted >= input.clients, input.waitTimeoutMs);
  for (let c = 0; c < input.clients; c++) await act('portal'); // portal login
  await act('mail'); // kit
}
