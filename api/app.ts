import express, { type Express } from 'express';
import helmet from 'helmet';
import swaggerUi from 'swagger-ui-express';
import { readBusinessFigures } from '../db/metrics';
import type { ApiDeps } from './deps';
import { createMetrics } from './metrics';
import { buildOpenApiDocument } from './openapi';
import { createOidcVerifier } from './oidc';
import { notFoundHandler, problemHandler } from './problem';
import { requestIdOf, requestIds } from './request-id';
import { accessChangeRoutes } from './routes/access-changes';
import { apiUserRoutes } from './routes/api-users';
import { approvalRoutes } from './routes/approvals';
import { automationUserRoutes } from './routes/automation-users';
import { authRoutes } from './routes/auth';
import { catalogRoutes } from './routes/catalog';
import { codecRoutes } from './routes/codec';
import { collectRoutes } from './routes/collect';
import { healthRoutes } from './routes/health';
import { kitHandoverRoutes } from './routes/kit-handover';
import { kitRoutes } from './routes/kits';
import { oauthRoutes } from './routes/oauth';
import { onboardingActionRoutes } from './routes/onboarding-actions';
import { pageRoutes } from './routes/pages';
import { offboardingRoutes } from './routes/offboardings';
import { onboardingRoutes } from './routes/onboardings';
import { originRoutes } from './routes/origins';
import { apiClientRoutes } from './routes/api-clients';
import { platformRoutes } from './routes/platform';
import { setPasswordRoutes } from './routes/set-password';
import { statsRoutes } from './routes/stats';
import { tenantRoutes } from './routes/tenants';
import { userRoutes } from './routes/users';
import { webhookRoutes } from './routes/webhooks';

/** How long one request's Temporal calls may take together before it answers 503. */
const TEMPORAL_REQUEST_DEADLINE_MS = 10_000;

/** Builds the HTTP API with no side effects: listening is server.ts's job. */
export function createApp(deps: ApiDeps): Express {
  const app = express();
  const metrics = createMetrics({
    readFigures: () => readBusinessFigures(deps.pool),
    cacheTtlMs: deps.config.metricsCacheTtlMs,
    log: deps.log,
  });
  const openapi = buildOpenApiDocument(deps.config.publicUrl);

  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(requestIds);
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // The route pattern, never the URL: collector and kit links carry their token in the path.
      const route = req.route?.path ?? 'unmatched';
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const labels = { method: req.method, route, status: res.statusCode };
      metrics.requests.inc(labels);
      metrics.requestDuration.observe(labels, ms / 1000);
      // 'finish' fires outside the request's log context: the id is named here.
      deps.log.info({ requestId: requestIdOf(res), ...labels, ms }, 'request');
    });
    next();
  });
  // Security headers on every answer (nosniff, HSTS, frame-ancestors, referrer policy, a default CSP that the
  // token pages tighten further); helmet keeps them current with browsers, which a hand-kept list would not.
  app.use(helmet({ frameguard: { action: 'deny' } }));
  app.use(express.json({ limit: '100kb' }));
  // Every Temporal call of a request shares one deadline: while Temporal is down the SDK would retry
  // (and wait for a connection) for tens of seconds; a prompt 503 (problem.ts) is what the caller needs.
  app.use((_req, _res, next) => {
    void deps.temporal.withDeadline(Date.now() + TEMPORAL_REQUEST_DEADLINE_MS, async () => next());
  });

  app.use(healthRoutes(deps, metrics.registry));
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(openapi));
  app.use(authRoutes(deps));
  app.use(userRoutes(deps));
  app.use(onboardingRoutes(deps));
  app.use(onboardingActionRoutes(deps));
  app.use(approvalRoutes(deps));
  app.use(statsRoutes(deps));
  app.use(pageRoutes());
  app.use(collectRoutes(deps));
  app.use(kitRoutes(deps));
  app.use(oauthRoutes(deps));
  app.use(codecRoutes(deps, { kind: 'api', oidc: deps.config.codecOidc && createOidcVerifier(deps.config.codecOidc) }));
  app.use(tenantRoutes(deps));
  app.use(originRoutes(deps));
  app.use(offboardingRoutes(deps));
  app.use(apiClientRoutes(deps));
  app.use(setPasswordRoutes(deps));
  app.use(platformRoutes(deps));
  app.use(webhookRoutes(deps));
  app.use(catalogRoutes(deps));
  app.use(kitHandoverRoutes(deps));
  app.use(apiUserRoutes(deps));
  app.use(accessChangeRoutes(deps));
  app.use(automationUserRoutes(deps));

  app.use(notFoundHandler);
  app.use(problemHandler(deps.log));
  return app;
}
