import type { Pool } from 'pg';
import type { Logger } from '../lib/logger';
import type { Secrets } from '../lib/secrets';
import type { OutgoingMail } from '../notify/mailer';
import type { OnboardingPolicy } from '../domain';

/** Sends a mail at most once per idempotency key (notify/mail-log.ts). */
export interface MailSender {
  sendOnce(mail: OutgoingMail): Promise<unknown>;
}

/** Everything activities touch, made once in worker/ and injected, so each can be tested alone. */
export interface ActivityDeps {
  pool: Pool;
  mail: MailSender;
  secrets: Secrets;
  http: typeof fetch;
  clock: () => Date;
  log: Logger;
  config: {
    publicUrl: string;
    developerPortalUrl: string;
    usernamePrefix: string;
    /** Integration users need a dedicated mailbox: addresses in these domains are people's. */
    staffEmailDomains: string[];
    portalTimeoutMs: number;
    /** The onboarding policy, for reconnects started by re-verification; without it none is started. */
    policy?: OnboardingPolicy;
    /** How long Idempotency-Key answers are kept before housekeeping prunes them (IDEMPOTENCY_KEY_TTL). */
    idempotencyKeyTtlMs: number;
    /** How long a delivered webhook is kept before housekeeping prunes it (WEBHOOK_DELIVERED_RETENTION). */
    webhookDeliveredRetentionMs: number;
    /** The records' retention (AUDIT_RETENTION, SECURITY_EVENT_RETENTION, MAIL_LOG_RETENTION); unset, kept. */
    auditRetentionMs?: number;
    securityEventRetentionMs?: number;
    mailLogRetentionMs?: number;
  };
}
