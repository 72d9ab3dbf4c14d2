import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { insertAuditEvents } from '../../db/audit';
import { replaceHeldKitToken } from '../../db/kits';
import { withTransaction } from '../../db/transaction';
import { authenticate, callerOf, requireRole } from '../auth';
import type { ApiDeps } from '../deps';
import { idempotent } from '../idempotent';
import { conflict } from '../problem';
import { idempotencyKey, loadOnboardingRow } from './onboardings';

/**
 * Ongoing WMS: an onboarding started with notify.sendCredentials false mails no kit; staff ask here for
 * its reveal-once link and hand it over themselves. Each link replaces the previous one; the answer (a
 * credential) is shown once, and an Idempotency-Key repeat answers it again, sealed in between.
 */
export function kitHandoverRoutes(deps: ApiDeps): Router {
  const router = Router();
  const guard = [authenticate(deps.tokens), requireRole('staff', 'admin')];

  router.post('/v1/onboardings/:id/kit-link', ...guard, async (req, res) => {
    const caller = callerOf(req);
    const row = await loadOnboardingRow(deps, req);
    const answer = await idempotent(
      deps,
      { caller, key: idempotencyKey(req), route: `POST /v1/onboardings/${row.id}/kit-link`, body: {}, sealed: true },
      async () => {
        const token = deps.secrets.newToken();
        const expiresAt = new Date(Date.now() + deps.config.policy.kitLinkTtlMs);
        const outcome = await withTransaction(deps.pool, async (tx) => {
          const replaced = await replaceHeldKitToken(tx, {
            onboardingId: row.id,
            tokenHash: deps.secrets.hashToken(token),
            expiresAt,
          });
          if (typeof replaced === 'object')
            await insertAuditEvents(tx, row.id, [
              {
                event_key: `kit-link:${randomUUID()}`,
                occurred_at: new Date().toISOString(),
                actor: caller.email,
                action: 'KIT_LINK_ISSUED',
                subscription: null,
                reason: 'handed over by staff (notify.sendCredentials false)',
                detail: { expiresAt: expiresAt.toISOString() },
              },
            ]);
          return replaced;
        });
        if (outcome === 'NOT_HELD')
          throw conflict('no kit is held for staff: it was mailed to the customer, or it is not ready yet');
        if (outcome === 'OPENED') throw conflict('the kit was opened already; its secret is gone');
        return {
          status: 201,
          body: { url: `${deps.config.publicUrl}/kit/${token}`, expiresAt: outcome.expiresAt.toISOString() },
        };
      },
    );
    res.status(answer.status).set('cache-control', 'no-store').json(answer.body);
  });

  return router;
}
