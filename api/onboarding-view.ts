import type { OnboardingRow } from '../db/onboardings';
import type { OnboardingView } from '../domain';

type ReadRow = Pick<OnboardingRow, 'view' | 'kit_opened_at' | 'password_set_at'>;

/**
 * The view as the API shows it: the workflow's projection, with the kit's progress merged in, since the
 * customer opens the kit and sets the password after the workflow has ended (the kit's and the password
 * link's rows are where that is recorded, and nothing else writes it). The row brings both
 * (db/onboardings.ts reads them in one statement).
 */
export function presentOnboarding(row: ReadRow): OnboardingView {
  return {
    ...row.view,
    kit: {
      openedAt: row.kit_opened_at?.toISOString() ?? null,
      passwordSetAt: row.password_set_at?.toISOString() ?? null,
    },
  };
}

export const presentOnboardings = (rows: ReadRow[]): OnboardingView[] => rows.map(presentOnboarding);
