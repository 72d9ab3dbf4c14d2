import { Router } from 'express';
import type { Registry } from 'prom-client';
import { pingDatabase } from '../../db/pool';
import type { ApiDeps } from '../deps';

/**
 * Liveness says the process answers; readiness says it can do its job (PostgreSQL and Temporal
 * reachable, not draining). `/readyz?require=database` leaves Temporal out: a load balancer that uses
 * it keeps the API in service through a Temporal outage, so customers' token requests, kits and
 * collector pages (PostgreSQL only) go on answering while the rest answers 503.
 */
export function healthRoutes(deps: ApiDeps, registry: Registry): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (req, res) => {
    const databaseOnly = req.query.require === 'database';
    const withTimeout = <T>(p: Promise<T>) =>
      Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 2_000))]);
    const [database, temporal] = await Promise.all([
      withTimeout(pingDatabase(deps.pool)).then(
        () => 'up',
        () => 'down',
      ),
      // One attempt under a deadline, on the probe connection (no retry interceptor, nothing left behind).
      withTimeout(
        deps.temporalProbe.withDeadline(Date.now() + 2_000, () => deps.temporalProbe.workflowService.getSystemInfo({})),
      ).then(
        () => 'up',
        () => 'down',
      ),
    ]);
    const draining = deps.lifecycle.draining;
    const ready = database === 'up' && (databaseOnly || temporal === 'up') && !draining;
    res
      .status(ready ? 200 : 503)
      .json({ status: draining ? 'draining' : ready ? 'ready' : 'not ready', checks: { database, temporal } });
  });

  router.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });

  return router;
}
