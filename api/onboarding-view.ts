import { listKitProgress } from '../db/kits';
import type { OnboardingRow } from '../db/onboardings';
import type { OnboardingView } from '../domain';
import type { ApiDeps } from './deps';

/**
 * The view as the API shows it: the workflow's projection, with the kit's progress merged in at read
 * time, since the customer opens the kit and sets the password after the workflow has ended (the kit's
 * and the password link's rows are where that is recorded, and nothing else writes it).
 */
export async function presentOnboardings(
  deps: Pick<ApiDeps, 'pool'>,
  rows: Pick<OnboardingRow, 'id' | 'view'>[],
): Promise<OnboardingView[]> {
  const kits =
    rows.length > 0
      ? await listKitProgress(
          deps.pool,
          rows.map((r) => r.id),
        )
      : new Map();
  return rows.map((r) => {
    const kit = kits.get(r.id);
    return {
      ...r.view,
      kit: {
        openedAt: kit?.opened_at?.toISOString() ?? null,
        passwordSetAt: kit?.password_set_at?.toISOString() ?? null,
      },
    };
  });
}

export const presentOnboarding = async (deps: Pick<ApiDeps, 'pool'>, row: Pick<OnboardingRow, 'id' | 'view'>) =>
  (await presentOnboardings(deps, [row]))[0];
