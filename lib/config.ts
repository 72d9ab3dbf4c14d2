import ms from 'ms';
import { z } from 'zod';
import { APPROVAL_POLICIES, SUBSCRIPTION_CODES, type ApprovalPolicy, type OnboardingPolicy, type SubscriptionCode } from '../domain';
import type { MasterKeys } from './master-keys';

/** Durations are written the way people say them ("24h", "90s", "500ms") and held as milliseconds. */
const duration = z.string().transform((text, ctx) => {
  const value = ms(text as ms.StringValue);
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    ctx.addIssue({ code: 'custom', message: `not a duration: "${text}" (try "30s", "24h", "14d")` });
    return z.NEVER;
  }
  return value;
});
const integer = z.string().regex(/^\d+$/, 'must be a whole number').transform(Number);
const masterKey = z
  .string()
  .transform((text, ctx) => {
    const key = Buffer.from(text, 'base64');
    if (key.length !== 32) {
      ctx.addIssue({ code: 'custom', message: 'must be 32 bytes, base64-encoded (openssl rand -base64 32)' });
      return z.NEVER;
    }
    return key;
  });
const masterKeyList = z.string().transform((text, ctx) => {
  const keys = text.split(',').map((s) => s.trim()).filter(Boolean).map((k) => Buffer.from(k, 'base64'));
  if (keys.some((k) => k.length !== 32)) {
    ctx.addIssue({ code: 'custom', message: 'each key must be 32 bytes, base64-encoded, separated by commas' });
    return z.NEVER;
  }
  return keys;
});
const list = z.string().transform((text) => text.split(',').map((s) => s.trim()).filter(Boolean));
/** APPROVAL_POLICY: JSON from subscription to who approves it, e.g. {"INVOICING":"AM_THEN_TECH_AM"}. */
const approvalPolicy = z.string().transform((text, ctx) => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'not JSON; e.g. {"INVOICING":"AM_THEN_TECH_AM"}' });
    return z.NEVER;
  }
  const parsed = z.partialRecord(z.enum(SUBSCRIPTION_CODES), z.enum(APPROVAL_POLICIES)).safeParse(json);
  if (!parsed.success) {
    ctx.addIssue({ code: 'custom', message: `a map of ${SUBSCRIPTION_CODES.join('|')} to ${APPROVAL_POLICIES.join('|')}` });
    return z.NEVER;
  }
  return parsed.data;
});

const envSchema = z.object({
  PORT: integer.default(3000),
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z.string().min(1).optional(),
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('onboarding'),
  TEMPORAL_CLI_PATH: z.string().min(1).optional(),
  TEMPORAL_DEV_PORT: integer.default(7233),
  SMTP_URL: z.string().min(1).optional(),
  MAIL_FROM: z.string().default('gangway <no-reply@gangway.localhost>'),
  GANGWAY_MASTER_KEY: masterKey.optional(),
  GANGWAY_PREVIOUS_MASTER_KEYS: masterKeyList.default([]),
  GANGWAY_DATA_DIR: z.string().default('.data'),
  DEVELOPER_PORTAL_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ACCESS_TOKEN_TTL: duration.default(15 * 60_000),
  REFRESH_TOKEN_TTL: duration.default(30 * 86_400_000),
  APPROVAL_EXPIRE_AFTER: duration.default(14 * 86_400_000),
  APPROVAL_REMINDER_INTERVAL: duration.default(24 * 60 * 60_000),
  APPROVAL_ESCALATE_AFTER: duration.default(72 * 60 * 60_000),
  APPROVAL_POLICY: approvalPolicy.default({}),
  TECH_AM_EMAIL: z.email().optional(),
  ESCALATION_EMAILS: list.pipe(z.array(z.email())).default([]),
  COLLECTOR_LINK_TTL: duration.default(7 * 86_400_000),
  CREDENTIAL_MAX_ATTEMPTS: integer.default(3),
  CONNECTIVITY_DEADLINE: duration.default(60 * 60_000),
  CONNECTIVITY_RETRY_INITIAL: duration.default(2_000),
  CONNECTIVITY_RETRY_MAX: duration.default(60_000),
  KIT_LINK_TTL: duration.default(7 * 86_400_000),
  WEBHOOK_RETRY_INITIAL: duration.default(1_000),
  WEBHOOK_MAX_ATTEMPTS: integer.default(8),
  WEBHOOK_ALLOWED_HOSTS: list.default([]),
  CODEC_CORS_ORIGINS: list.default([]),
  REVERIFY_INTERVAL: duration.default(86_400_000),
  CLIENT_SECRET_GRACE: duration.default(24 * 3_600_000),
  STAFF_EMAIL_DOMAINS: list.default([]),
  WORKER_MAX_CACHED_WORKFLOWS: integer.default(1000),
  INTEGRATION_USERNAME_PREFIX: z.string().regex(/^[A-Z][A-Z0-9]*$/, 'upper-case letters and digits').default('WSI'),
});


export interface Config {
  port: number;
  publicUrl: string;
  databaseUrl?: string;
  temporal: { address?: string; namespace: string; taskQueue: string; cliPath?: string; devPort: number; maxCachedWorkflows: number };
  smtpUrl?: string;
  mailFrom: string;
  masterKey?: Buffer;
  /** Keys GANGWAY_MASTER_KEY replaced: they still open what they wrapped until `gangway keys rewrap`. */
  previousMasterKeys: Buffer[];
  dataDir: string;
  developerPortalUrl: string;
  logLevel: string;
  accessTokenTtlMs: number;
  refreshTokenTtlMs: number;
  webhook: { retryInitialMs: number; maxAttempts: number; allowedHosts: string[] };
  /** Origins (the Temporal Web UI) allowed to call the codec endpoint from a browser. */
  codecCorsOrigins: string[];
  reverifyIntervalMs: number;
  staffEmailDomains: string[];
  /** How long a rotated client secret keeps working beside the new one. */
  clientSecretGraceMs: number;
  usernamePrefix: string;
  policy: OnboardingPolicy;
  approvals: {
    /** Subscriptions not named here need one approver. */
    policy: Partial<Record<SubscriptionCode, ApprovalPolicy>>;
    /** Otherwise the oldest registered TECH_AM approver. */
    techAmEmail?: string;
    /** Otherwise the TECH_AM. */
    escalationEmails: string[];
  };
}

export class ConfigError extends Error {}

/** Reads the environment once, fails fast naming every bad variable, and returns a frozen object. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const publicUrl = (e.PUBLIC_URL ?? `http://127.0.0.1:${e.PORT}`).replace(/\/$/, '');
  return Object.freeze({
    port: e.PORT,
    publicUrl,
    databaseUrl: e.DATABASE_URL,
    temporal: Object.freeze({
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      cliPath: e.TEMPORAL_CLI_PATH,
      devPort: e.TEMPORAL_DEV_PORT,
      maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
    }),
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    masterKey: e.GANGWAY_MASTER_KEY,
    previousMasterKeys: e.GANGWAY_PREVIOUS_MASTER_KEYS,
    dataDir: e.GANGWAY_DATA_DIR,
    developerPortalUrl: e.DEVELOPER_PORTAL_URL ?? `${publicUrl}/docs`,
    logLevel: e.LOG_LEVEL,
    accessTokenTtlMs: e.ACCESS_TOKEN_TTL,
    refreshTokenTtlMs: e.REFRESH_TOKEN_TTL,
    webhook: Object.freeze({ retryInitialMs: e.WEBHOOK_RETRY_INITIAL, maxAttempts: e.WEBHOOK_MAX_ATTEMPTS, allowedHosts: e.WEBHOOK_ALLOWED_HOSTS }),
    codecCorsOrigins: e.CODEC_CORS_ORIGINS,
    reverifyIntervalMs: e.REVERIFY_INTERVAL,
    staffEmailDomains: e.STAFF_EMAIL_DOMAINS,
    clientSecretGraceMs: e.CLIENT_SECRET_GRACE,
    usernamePrefix: e.INTEGRATION_USERNAME_PREFIX,
    policy: Object.freeze({
      approvalExpireAfterMs: e.APPROVAL_EXPIRE_AFTER,
      collectorLinkTtlMs: e.COLLECTOR_LINK_TTL,
      credentialMaxAttempts: e.CREDENTIAL_MAX_ATTEMPTS,
      connectivityDeadlineMs: e.CONNECTIVITY_DEADLINE,
      connectivityRetryInitialMs: e.CONNECTIVITY_RETRY_INITIAL,
      connectivityRetryMaxMs: e.CONNECTIVITY_RETRY_MAX,
      kitLinkTtlMs: e.KIT_LINK_TTL,
      approvalReminderIntervalMs: e.APPROVAL_REMINDER_INTERVAL,
      approvalEscalateAfterMs: e.APPROVAL_ESCALATE_AFTER,
    }),
    approvals: Object.freeze({ policy: e.APPROVAL_POLICY, techAmEmail: e.TECH_AM_EMAIL, escalationEmails: e.ESCALATION_EMAILS }),
  });
}

/** The master key is required wherever secrets are sealed or opened. */
export function requireMasterKey(config: Config): Buffer {
  if (!config.masterKey) throw new ConfigError('GANGWAY_MASTER_KEY is required (base64 of 32 bytes)');
  return config.masterKey;
}

export function requireMasterKeys(config: Config): MasterKeys {
  return { current: requireMasterKey(config), previous: config.previousMasterKeys };
}
