import { sleep } from '@temporalio/workflow';
import type { VerifyPortalLoginInput } from '../activities/connectivity';
import { backoffWithJitter, type OnboardingPolicy, type PortalClientView } from '../domain';
import { portalCheck } from './activity-options';
import type { Carrier } from './carry';

/**
 * Logs into the portal until it gives an answer (connected, or wrong credentials) or the deadline
 * passes. The loop lives in the workflow rather than in the activity's retry policy so that every
 * check is recorded in the view as it happens, and so that retries can be jittered.
 */
export async function checkUntilAnswered(
  state: { update(mutate: () => void): void; carry: Carrier },
  view: PortalClientView,
  input: VerifyPortalLoginInput,
  policy: OnboardingPolicy,
): Promise<'CONNECTED' | 'WRONG_CREDENTIALS' | 'DEADLINE' | 'REFUSED'> {
  const { checkPortalLogin } = portalCheck(policy);
  const deadline = Date.now() + policy.connectivityDeadlineMs;
  for (let retry = 0; ; retry++) {
    const result = await state.carry((progress) => checkPortalLogin({ ...input, progress }));
    state.update(() => {
      view.checks += 1;
      view.lastCheckedAt = new Date().toISOString();
      view.lastError = result.errorClass;
    });
    if (result.outcome !== 'TRANSIENT') return result.outcome;
    const delay = backoffWithJitter(retry, policy);
    if (Date.now() + delay > deadline) return 'DEADLINE';
    await sleep(delay);
  }
}
