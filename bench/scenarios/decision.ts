import { runBaseline, runOurs, type OursContext } from '../lib/drivers';
import { baselineTarget, type BenchEnv } from '../lib/env';

export interface DecisionLatency {
  oursMs: number[];
  b0Ms: number[];
}

/**
 * Scenario 3: from the decisive approval sent (API for ours, a signal for B0) to ASSIGN_SUBSCRIPTIONS
 * completed, read from the history's event times: the same two activities follow in both.
 */
export async function decisionLatency(env: BenchEnv, ctx: OursContext, samples: number): Promise<DecisionLatency> {
  const oursMs: number[] = [];
  const b0Ms: number[] = [];
  for (let i = 0; i < samples; i++) {
    oursMs.push((await runOurs(ctx, { measureDecision: true })).decisionMs!);
    b0Ms.push((await runBaseline(baselineTarget(env, 'B0'), 'B0', { measureDecision: true })).decisionMs!);
  }
  return { oursMs, b0Ms };
}
