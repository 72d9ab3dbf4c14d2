import type { OnboardingPolicy } from './onboarding';

/**
 * Exponential and capped, with "equal jitter" (half fixed, half random) so that clients whose
 * portals fail together do not retry in step. Math.random is seeded per run in workflows, so
 * replays draw the same delays.
 */
export function backoffWithJitter(
  retry: number,
  policy: Pick<OnboardingPolicy, 'connectivityRetryInitialMs' | 'connectivityRetryMaxMs'>,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.connectivityRetryMaxMs, policy.connectivityRetryInitialMs * 2 ** retry);
  return Math.round(base / 2 + (random() * base) / 2);
}
