import { isCancellation } from '@temporalio/workflow';
import type { RecordProgressInput } from '../activities/progress';
import type { StepName } from '../domain';
import type { OnboardingState } from './state';

/** How an onboarding's steps move in its view: run, undo, skip. */

/** Runs a step's activity, which takes the read model's pending write along (`progress`, state.carry). */
export async function step<T>(
  state: OnboardingState,
  name: StepName,
  run: (progress?: RecordProgressInput) => Promise<T>,
  detail: string | null = null,
): Promise<T> {
  state.markStep(name, 'RUNNING');
  try {
    const result = await state.carry(run);
    state.markStep(name, 'DONE', detail);
    return result;
  } catch (err) {
    if (!isCancellation(err))
      state.markStep(name, 'FAILED', ((err as Error).cause as Error | undefined)?.message ?? (err as Error).message);
    throw err;
  }
}

export async function compensate(state: OnboardingState, name: StepName, undo: () => Promise<unknown>): Promise<void> {
  await undo();
  state.markStep(name, 'COMPENSATED');
}

/** Steps that will not run now, including one interrupted by cancellation, end SKIPPED. */
export function skipRemaining(state: OnboardingState, why = 'not needed'): void {
  for (const s of state.view.steps)
    if (s.status === 'PENDING' || s.status === 'RUNNING') state.markStep(s.name, 'SKIPPED', why);
}
