import pino, { type Logger } from 'pino';
import { currentLogContext } from './log-context';

/** Every path that may carry a secret; pino replaces its value before the line is written. */
const SECRET_KEYS = [
  'password',
  'secret',
  'clientSecret',
  'client_secret',
  'token',
  'accessToken',
  'refreshToken',
  'webhookSecret',
  'credentials',
  'authorization',
  'cookie',
];
const REDACTED_PATHS = [
  // pino's wildcards match one level each: cover a secret at the top and up to two levels down.
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
  'req.headers.authorization',
  'req.headers.cookie',
  'headers["set-cookie"]',
  'req.body',
  'request.body',
];

export type { Logger };

export function createLogger(
  options: { level?: string; name?: string } = {},
  destination?: pino.DestinationStream,
): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      name: options.name ?? 'gangway',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // The request id or the activity's identity of the work in progress (lib/log-context.ts), on every line.
      mixin: currentLogContext,
    },
    destination,
  );
}
