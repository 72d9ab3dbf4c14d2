import pino, { type Logger } from 'pino';

/** Every path that may carry a secret; pino replaces its value before the line is written. */
export const REDACTED_PATHS = [
  'password', '*.password', 'secret', '*.secret', 'clientSecret', '*.clientSecret',
  'token', '*.token', 'accessToken', '*.accessToken', 'refreshToken', '*.refreshToken',
  'webhookSecret', '*.webhookSecret', 'authorization', '*.authorization',
  'headers.authorization', 'req.headers.authorization', 'req.headers.cookie',
];

export type { Logger };

export function createLogger(options: { level?: string; name?: string } = {}, destination?: pino.DestinationStream): Logger {
  return pino(
    { level: options.level ?? 'info', name: options.name ?? 'gangway', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    destination,
  );
}
