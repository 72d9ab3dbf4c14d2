import type { Pool } from 'pg';
import type { ActivityDeps } from '../activities';
import type { Config } from '../lib/config';
import { createEgressFetch } from '../lib/egress';
import type { Logger } from '../lib/logger';
import type { Secrets } from '../lib/secrets';
import { sendOnce } from '../notify/mail-log';
import type { Mailer } from '../notify/mailer';

/** The one place that turns process-wide resources into what activities are given. */
export function buildActivityDeps(options: {
  config: Config;
  pool: Pool;
  mailer: Mailer;
  secrets: Secrets;
  log: Logger;
}): ActivityDeps {
  const { config, pool, mailer, secrets, log } = options;
  return {
    pool,
    secrets,
    log,
    mail: { sendOnce: (mail) => sendOnce(pool, mailer, mail) },
    // Portal logins go only where the egress guard lets them (SECURITY.md).
    http: createEgressFetch({ allowedHosts: config.egress.allowedHosts }),
    clock: () => new Date(),
    config: {
      publicUrl: config.publicUrl,
      developerPortalUrl: config.developerPortalUrl,
      usernamePrefix: config.usernamePrefix,
      staffEmailDomains: config.staffEmailDomains,
      portalTimeoutMs: 10_000,
      policy: config.policy,
      idempotencyKeyTtlMs: config.idempotencyKeyTtlMs,
      webhookDeliveredRetentionMs: config.webhookDeliveredRetentionMs,
      auditRetentionMs: config.auditRetentionMs,
      securityEventRetentionMs: config.securityEventRetentionMs,
      mailLogRetentionMs: config.mailLogRetentionMs,
    },
  };
}
