import { Router } from 'express';
import { authenticate, callerOf, requireRole } from '../auth';
import type { ApiDeps } from '../deps';
import { AmendOnboardingBody, ResendBody } from '../onboarding-action-schemas';
import { presentOnboarding } from '../onboarding-view';
import { parse } from '../schemas';
import { partnerId } from '../tenant-schemas';
import { amendOnboarding, resendLink, retryClient } from '../use-cases/onboarding-actions';
import { idempotencyKey, loadOnboardingRow } from './onboardings';

/**
 * What staff do to an onboarding after starting it (docs/lifecycle.md): resend a link, retry a client
 * that failed, amend what has not happened yet. The body is checked before the onboarding is looked at,
 * so bad input changes nothing; the Idempotency-Key header is the Update's id.
 */
export function onboardingActionRoutes(deps: ApiDeps): Router {
  const router = Router();
  const auth = authenticate(deps.tokens);
  const staff = requireRole('staff', 'admin');

  router.post('/v1/onboardings/:id/resend', auth, staff, async (req, res) => {
    const body = parse(ResendBody, req.body);
    const key = idempotencyKey(req);
    const row = await loadOnboardingRow(deps, req);
    res.status(202).json(await resendLink(deps, { caller: callerOf(req), row, body, idempotencyKey: key }));
  });

  router.post('/v1/onboardings/:id/clients/:partnerProvidedId/retry', auth, staff, async (req, res) => {
    const partnerProvidedId = parse(partnerId, req.params.partnerProvidedId);
    const key = idempotencyKey(req);
    const row = await loadOnboardingRow(deps, req);
    const answer = await retryClient(deps, {
      caller: callerOf(req),
      row,
      body: { partnerProvidedId },
      idempotencyKey: key,
    });
    res.status(202).json({ ...answer, links: { self: `${deps.config.publicUrl}/v1/onboardings/${row.id}` } });
  });

  router.patch('/v1/onboardings/:id', auth, staff, async (req, res) => {
    const body = parse(AmendOnboardingBody, req.body);
    const key = idempotencyKey(req);
    const row = await loadOnboardingRow(deps, req);
    const view = await amendOnboarding(deps, { caller: callerOf(req), row, body, idempotencyKey: key });
    res.json(presentOnboarding({ ...row, view }));
  });

  return router;
}
