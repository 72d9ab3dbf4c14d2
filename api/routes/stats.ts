import { Router } from 'express';
import { onboardingOutcomesByDay, timeToComplete } from '../../db/onboarding-stats';
import { authenticate, requireRole } from '../auth';
import type { ApiDeps } from '../deps';
import { OnboardingStatsQuery, parse } from '../schemas';

/** The console's aggregates: onboardings per day by outcome, and how long completing one takes. */
export function statsRoutes(deps: ApiDeps): Router {
  const router = Router();
  router.get('/v1/stats/onboardings', authenticate(deps.tokens), requireRole('staff', 'admin'), async (req, res) => {
    const { days } = parse(OnboardingStatsQuery, req.query);
    const now = new Date();
    const [byDay, completion] = await Promise.all([
      onboardingOutcomesByDay(deps.pool, days, now),
      timeToComplete(deps.pool, days, now),
    ]);
    res.json({ generatedAt: now.toISOString(), days: byDay, timeToComplete: completion });
  });
  return router;
}
