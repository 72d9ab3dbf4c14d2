import express, { type Express } from 'express';
import helmet from 'helmet';
import type { ApiDeps } from './deps';
import { notFoundHandler, problemHandler } from './problem';
import { requestIds } from './request-id';
import { codecRoutes } from './routes/codec';

/**
 * The admin codec listener (CODEC_PORT, on CODEC_HOST, loopback by default): the codec alone, with
 * no authentication, for a Temporal Web UI that cannot send a gangway token. `npm start` points the
 * dev server's UI at it; in production it is reached only through an authenticating proxy
 * (docs/codec.md). The payloads it decodes are business data: never expose it as it is.
 */
export function createCodecApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestIds);
  app.use(helmet());
  app.use(express.json({ limit: '4mb' }));
  app.use(codecRoutes(deps, { kind: 'open' }));
  app.use(notFoundHandler);
  app.use(problemHandler(deps.log));
  return app;
}
