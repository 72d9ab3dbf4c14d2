import ms from 'ms';
import { z } from 'zod';
import {
  APPROVAL_POLICIES,
  SUBSCRIPTION_CODES,
  type ApprovalPolicy,
  type OnboardingPolicy,
  type SubscriptionCode,
} from '../domain';
import type { MasterKeys } from './master-keys';
import type { Compression } from './payload-codec';
import {
  TEMPORAL_VARIABLE_PREFIXES,
  TEMPORAL_VARIABLES,
  temporalConnectionFromEnv,
  type TemporalConnectionOptions,
} from './temporal-env';

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
/** A record's retention (db/retention.ts): at least 30 days, so that no write still retried finds its row gone. */
const recordRetention = duration.pipe(z.number().min(30 * 86_400_000, 'at least 30d, or unset to keep them'));
const masterKey = z.string().transform((text, ctx) => {
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32) {
    ctx.addIssue({ code: 'custom', message: 'must be 32 bytes, base64-encoded (openssl rand -base64 32)' });
    return z.NEVER;
  }
  return key;
});
const masterKeyList = z.string().transform((text, ctx) => {
  const keys = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((k) => Buffer.from(k, 'base64'));
  if (keys.some((k) => k.length !== 32)) {
    ctx.addIssue({ code: 'custom', message: 'each key must be 32 bytes, base64-encoded, separated by commas' });
    return z.NEVER;
  }
  return keys;
});
const list = z.string().transform((text) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
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
    ctx.addIssue({
      code: 'custom',
      message: `a map of ${SUBSCRIPTION_CODES.join('|')} to ${APPROVAL_POLICIES.join('|')}`,
    });
    return z.NEVER;
  }
  return parsed.data;
});

/** Like `duration`, but "0" means no time at all (a drain delay that is off). */
const durationOrZero = z.string().transform((text, ctx) => {
  if (text.trim() === '0') return 0;
  const value = ms(text as ms.StringValue);
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    ctx.addIssue({ code: 'custom', message: `not a duration: "${text}" (try "0", "5s")` });
    return z.NEVER;
  }
  return value;
});

/** `host:port` to listen on, or `off`. */
const hostPortOrOff = z
  .string()
  .regex(/^(off|[^\s:]+:\d+)$/, 'host:port (e.g. 127.0.0.1:9464), or off')
  .transform((text) => (text === 'off' ? null : text));

const envSchema = z.object({
  GANGWAY_ENV: z.enum(['development', 'production']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: integer.default(3000),
  WORKER_HEALTH_PORT: integer.default(3001),
  SHUTDOWN_DRAIN_DELAY: durationOrZero.default(0),
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z.string().min(1).optional(),
  DATABASE_POOL_MAX: integer.pipe(z.number().min(2, 'at least 2')).default(10),
  DATABASE_ACQUIRE_TIMEOUT: duration.default(1_000),
  SUBMISSION_RECONCILE_INTERVAL: duration.default(60_000),
  HOUSEKEEPING_INTERVAL: duration.default(3_600_000),
  IDEMPOTENCY_KEY_TTL: duration.default(86_400_000),
  WEBHOOK_DELIVERED_RETENTION: duration.default(30 * 86_400_000),
  AUDIT_RETENTION: recordRetention.optional(),
  SECURITY_EVENT_RETENTION: recordRetention.optional(),
  MAIL_LOG_RETENTION: recordRetention.optional(),
  TEMPORAL_CONNECT_TIMEOUT: duration.default(60_000),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('onboarding'),
  TEMPORAL_CLI_PATH: z.string().min(1).optional(),
  TEMPORAL_DEV_PORT: integer.default(7233),
  GANGWAY_EMBEDDED_PG_PORT: integer.default(54329),
  SMTP_URL: z.string().min(1).optional(),
  MAIL_FROM: z.string().default('gangway <no-reply@gangway.localhost>'),
  GANGWAY_MASTER_KEY: masterKey.optional(),
  GANGWAY_PREVIOUS_MASTER_KEYS: masterKeyList.default([]),
  GANGWAY_DATA_DIR: z.string().default('.data'),
  GANGWAY_WORKFLOW_BUNDLE: z.string().min(1).optional(),
  DEVELOPER_PORTAL_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ACCESS_TOKEN_TTL: duration.default(15 * 60_000),
  REFRESH_TOKEN_TTL: duration.default(30 * 86_400_000),
  SESSION_MAX_LIFETIME: duration.default(12 * 3_600_000),
  LOGIN_FREE_ATTEMPTS: integer.default(5),
  LOGIN_DELAY_BASE: duration.default(1_000),
  LOGIN_DELAY_MAX: duration.default(15 * 60_000),
  RATE_LIMIT_WINDOW: duration.default(15 * 60_000),
  RATE_LIMIT_PER_IP: integer.default(300),
  RATE_LIMIT_PER_TOKEN: integer.default(10),
  RATE_LIMIT_PER_CLIENT: integer.default(600),
  RATE_LIMIT_STARTS: integer.default(120),
  PASSWORD_HASH_CONCURRENCY: integer.pipe(z.number().min(1, 'at least 1')).default(4),
  APPROVAL_EXPIRE_AFTER: duration.default(14 * 86_400_000),
  APPROVAL_REMINDER_INTERVAL: duration.default(24 * 60 * 60_000),
  APPROVAL_ESCALATE_AFTER: duration.default(72 * 60 * 60_000),
  APPROVAL_POLICY: approvalPolicy.default({}),
  TECH_AM_EMAIL: z.email().optional(),
  ESCALATION_EMAILS: list.pipe(z.array(z.email())).default([]),
  COLLECTOR_LINK_TTL: duration.default(7 * 86_400_000),
  COLLECTOR_REMINDER_INTERVAL: durationOrZero.default(2 * 86_400_000),
  CLIENT_STUCK_NOTICE_AFTER: durationOrZero.default(3 * 86_400_000),
  CREDENTIAL_MAX_ATTEMPTS: integer.default(3),
  CONNECTIVITY_DEADLINE: duration.default(60 * 60_000),
  CONNECTIVITY_RETRY_INITIAL: duration.default(2_000),
  CONNECTIVITY_RETRY_MAX: duration.default(60_000),
  KIT_LINK_TTL: duration.default(7 * 86_400_000),
  WEBHOOK_RETRY_INITIAL: duration.default(1_000),
  WEBHOOK_MAX_ATTEMPTS: integer.default(8),
  EGRESS_ALLOWED_HOSTS: list.optional(),
  /** Deprecated: the name EGRESS_ALLOWED_HOSTS had when only webhooks were guarded. */
  WEBHOOK_ALLOWED_HOSTS: list.default([]),
  CODEC_COMPRESSION: z.enum(['deflate', 'off']).default('deflate'),
  CODEC_CORS_ORIGINS: list.default([]),
  CODEC_PORT: integer.optional(),
  CODEC_HOST: z.string().min(1).default('127.0.0.1'),
  CODEC_OIDC_ISSUER: z.string().min(1).optional(),
  CODEC_OIDC_AUDIENCE: z.string().min(1).optional(),
  CODEC_OIDC_JWKS_URL: z.url().optional(),
  REVERIFY_INTERVAL: duration.default(86_400_000),
  CLIENT_SECRET_GRACE: duration.default(24 * 3_600_000),
  STAFF_EMAIL_DOMAINS: list.default([]),
  WORKER_MAX_CACHED_WORKFLOWS: integer.default(1000),
  TEMPORAL_METRICS_ADDRESS: hostPortOrOff.optional(),
  METRICS_CACHE_TTL: duration.default(15_000),
  // Read by lib/tracing.ts before the configuration is (tracing starts first); checked here all the same.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.union([z.literal(''), z.url()]).optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.union([z.literal(''), z.url()]).optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  INTEGRATION_USERNAME_PREFIX: z
    .string()
    .regex(/^[A-Z][A-Z0-9]*$/, 'upper-case letters and digits')
    .default('WSI'),
});

export interface Config {
  /** `production` refuses every local fallback (requireProductionSettings). */
  env: 'development' | 'production';
  host: string;
  port: number;
  workerHealthPort: number;
  /** How long readiness answers 503 on SIGTERM before the listener closes (load balancers notice). */
  shutdownDrainDelayMs: number;
  publicUrl: string;
  databaseUrl?: string;
  /** Connections per process; the worker runs at most this many activities at once, so none waits for one. */
  databasePoolMax: number;
  /** How long a request waits for a pooled connection before it is answered 503 (exhausted or down). */
  databaseAcquireTimeoutMs: number;
  /** How often stored submissions whose signal was lost are delivered (workflows/reconcile-submissions.ts). */
  submissionReconcileIntervalMs: number;
  /** How often expired records are pruned (workflows/housekeeping.ts). */
  housekeepingIntervalMs: number;
  /** How long an Idempotency-Key's answer is kept: a retry within it gets the first answer. */
  idempotencyKeyTtlMs: number;
  /** How long a delivered webhook is kept before housekeeping prunes it (WEBHOOK_DELIVERED_RETENTION). */
  webhookDeliveredRetentionMs: number;
  /** How long the audit trail, security events and mail log are kept; unset, for good (AUDIT_RETENTION, …). */
  auditRetentionMs?: number;
  securityEventRetentionMs?: number;
  mailLogRetentionMs?: number;
  embeddedPostgresPort: number;
  temporal: {
    /** Absent: `npm start` runs the dev server; the separate processes need it. */
    address?: string;
    namespace: string;
    /** TLS, API key and headers from the environment (lib/temporal-connection.ts). */
    connection: TemporalConnectionOptions;
    connectTimeoutMs: number;
    taskQueue: string;
    cliPath?: string;
    devPort: number;
    maxCachedWorkflows: number;
    /**
     * Where the worker serves the SDK's metrics for Prometheus: unset (undefined) lets the process choose
     * (`gangway worker`: none; `npm start`: 127.0.0.1:9464); null is `off`.
     */
    metricsAddress?: string | null;
  };
  /** How long the API's /metrics reuses the figures it read from PostgreSQL (api/metrics.ts). */
  metricsCacheTtlMs: number;

  smtpUrl?: string;
  mailFrom: string;
  masterKey?: Buffer;
  /** Keys GANGWAY_MASTER_KEY replaced: they still open what they wrapped until `gangway keys rewrap`. */
  previousMasterKeys: Buffer[];
  dataDir: string;
  /** The prebuilt workflow bundle `gangway worker` loads; default: the one `npm run build` writes in dist/. */
  workflowBundlePath?: string;
  developerPortalUrl: string;
  logLevel: string;
  accessTokenTtlMs: number;
  refreshTokenTtlMs: number;
  /** A refresh-token family (one login) ends this long after the login, however often it is refreshed. */
  sessionMaxLifetimeMs: number;
  /** Abuse limits, counted in PostgreSQL across every API process (api/limits.ts). */
  limits: {
    loginFreeAttempts: number;
    loginDelayBaseMs: number;
    loginDelayMaxMs: number;
    windowMs: number;
    perIp: number;
    perToken: number;
    perClient: number;
    starts: number;
  };
  /** argon2 hashes at once per process: each takes 19 MiB and a core for tens of milliseconds. */
  passwordHashConcurrency: number;
  webhook: { retryInitialMs: number; maxAttempts: number };
  /** Hosts that portal logins and webhooks may reach over http or at an internal address (lib/egress.ts). */
  egress: { allowedHosts: string[] };
  /** Whether the payload codec compresses what it seals (lib/payload-codec.ts); `off` for a rolling upgrade. */
  codecCompression: Compression;
  /** Origins (the Temporal Web UI) allowed to call the codec endpoint from a browser. */
  codecCorsOrigins: string[];
  /** The admin codec listener (api/codec-listener.ts): no authentication, so loopback or behind an authenticating proxy. */
  codecListener?: { host: string; port: number };
  /** The identity provider whose access tokens the API's /codec accepts (the Temporal Web UI's passAccessToken). */
  codecOidc?: { issuer: string; audience: string; jwksUrl: string };
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
  let temporal: ReturnType<typeof temporalConnectionFromEnv>;
  try {
    temporal = temporalConnectionFromEnv(env);
  } catch (err) {
    throw new ConfigError(`invalid configuration: ${(err as Error).message}`);
  }
  if (e.GANGWAY_ENV === 'production') {
    const unknown = unknownVariables(env);
    if (unknown.length > 0) throw new ConfigError(`invalid configuration: ${unknown.join('; ')}`);
  }
  const publicUrl = (e.PUBLIC_URL ?? `http://127.0.0.1:${e.PORT}`).replace(/\/$/, '');
  const oidc = [e.CODEC_OIDC_ISSUER, e.CODEC_OIDC_AUDIENCE, e.CODEC_OIDC_JWKS_URL];
  if (oidc.some(Boolean) && !oidc.every(Boolean))
    throw new ConfigError(
      'invalid configuration: CODEC_OIDC_ISSUER, CODEC_OIDC_AUDIENCE and CODEC_OIDC_JWKS_URL go together: set all three or none',
    );
  return Object.freeze({
    env: e.GANGWAY_ENV,
    host: e.HOST,
    port: e.PORT,
    workerHealthPort: e.WORKER_HEALTH_PORT,
    shutdownDrainDelayMs: e.SHUTDOWN_DRAIN_DELAY,
    publicUrl,
    databaseUrl: e.DATABASE_URL,
    databasePoolMax: e.DATABASE_POOL_MAX,
    databaseAcquireTimeoutMs: e.DATABASE_ACQUIRE_TIMEOUT,
    submissionReconcileIntervalMs: e.SUBMISSION_RECONCILE_INTERVAL,
    housekeepingIntervalMs: e.HOUSEKEEPING_INTERVAL,
    idempotencyKeyTtlMs: e.IDEMPOTENCY_KEY_TTL,
    webhookDeliveredRetentionMs: e.WEBHOOK_DELIVERED_RETENTION,
    auditRetentionMs: e.AUDIT_RETENTION,
    securityEventRetentionMs: e.SECURITY_EVENT_RETENTION,
    mailLogRetentionMs: e.MAIL_LOG_RETENTION,
    embeddedPostgresPort: e.GANGWAY_EMBEDDED_PG_PORT,
    temporal: Object.freeze({
      address: temporal.options.address,
      namespace: temporal.namespace ?? 'default',
      connection: Object.freeze(temporal.options),
      connectTimeoutMs: e.TEMPORAL_CONNECT_TIMEOUT,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      cliPath: e.TEMPORAL_CLI_PATH,
      devPort: e.TEMPORAL_DEV_PORT,
      maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
      metricsAddress: e.TEMPORAL_METRICS_ADDRESS,
    }),
    metricsCacheTtlMs: e.METRICS_CACHE_TTL,

    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    masterKey: e.GANGWAY_MASTER_KEY,
    previousMasterKeys: e.GANGWAY_PREVIOUS_MASTER_KEYS,
    dataDir: e.GANGWAY_DATA_DIR,
    workflowBundlePath: e.GANGWAY_WORKFLOW_BUNDLE,
    developerPortalUrl: e.DEVELOPER_PORTAL_URL ?? `${publicUrl}/docs`,
    logLevel: e.LOG_LEVEL,
    accessTokenTtlMs: e.ACCESS_TOKEN_TTL,
    refreshTokenTtlMs: e.REFRESH_TOKEN_TTL,
    sessionMaxLifetimeMs: e.SESSION_MAX_LIFETIME,
    limits: Object.freeze({
      loginFreeAttempts: e.LOGIN_FREE_ATTEMPTS,
      loginDelayBaseMs: e.LOGIN_DELAY_BASE,
      loginDelayMaxMs: e.LOGIN_DELAY_MAX,
      windowMs: e.RATE_LIMIT_WINDOW,
      perIp: e.RATE_LIMIT_PER_IP,
      perToken: e.RATE_LIMIT_PER_TOKEN,
      perClient: e.RATE_LIMIT_PER_CLIENT,
      starts: e.RATE_LIMIT_STARTS,
    }),
    passwordHashConcurrency: e.PASSWORD_HASH_CONCURRENCY,
    webhook: Object.freeze({
      retryInitialMs: e.WEBHOOK_RETRY_INITIAL,
      maxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
    }),
    egress: Object.freeze({ allowedHosts: e.EGRESS_ALLOWED_HOSTS ?? e.WEBHOOK_ALLOWED_HOSTS }),
    codecCompression: e.CODEC_COMPRESSION,
    codecCorsOrigins: e.CODEC_CORS_ORIGINS,
    codecListener: e.CODEC_PORT === undefined ? undefined : Object.freeze({ host: e.CODEC_HOST, port: e.CODEC_PORT }),
    codecOidc:
      e.CODEC_OIDC_ISSUER && e.CODEC_OIDC_AUDIENCE && e.CODEC_OIDC_JWKS_URL
        ? Object.freeze({
            issuer: e.CODEC_OIDC_ISSUER,
            audience: e.CODEC_OIDC_AUDIENCE,
            jwksUrl: e.CODEC_OIDC_JWKS_URL,
          })
        : undefined,
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
      collectorReminderIntervalMs: e.COLLECTOR_REMINDER_INTERVAL,
      clientStuckNoticeAfterMs: e.CLIENT_STUCK_NOTICE_AFTER,
    }),
    approvals: Object.freeze({
      policy: e.APPROVAL_POLICY,
      techAmEmail: e.TECH_AM_EMAIL,
      escalationEmails: e.ESCALATION_EMAILS,
    }),
  });
}

/** The separate processes need a Temporal to talk to; only `npm start` brings its own. */
export function requireTemporalAddress(config: Config): string {
  if (!config.temporal.address)
    throw new ConfigError('TEMPORAL_ADDRESS is required (host:port of the Temporal frontend)');
  return config.temporal.address;
}

/** The master key is required wherever secrets are sealed or opened. */
function requireMasterKey(config: Config): Buffer {
  if (!config.masterKey) throw new ConfigError('GANGWAY_MASTER_KEY is required (base64 of 32 bytes)');
  return config.masterKey;
}

export function requireMasterKeys(config: Config): MasterKeys {
  return { current: requireMasterKey(config), previous: config.previousMasterKeys };
}

/** Every variable gangway reads (the CLI's too); deployment files are checked against it. */
export const KNOWN_VARIABLES: readonly string[] = [
  ...Object.keys(envSchema.shape),
  ...TEMPORAL_VARIABLES,
  'GANGWAY_API_URL',
  'GANGWAY_TOKEN',
];

/** Names in gangway's own namespaces that it does not read: a misspelling, caught in production. */
const OUR_PREFIXES =
  /^(GANGWAY|TEMPORAL|DATABASE|SMTP|MAIL|APPROVAL|WEBHOOK|COLLECTOR|CONNECTIVITY|CREDENTIAL|SUBMISSION|KIT|REVERIFY|WORKER|CODEC|CLIENT_SECRET|CLIENT_STUCK|ACCESS_TOKEN|REFRESH_TOKEN|INTEGRATION|STAFF|ESCALATION|TECH_AM|EGRESS|DEVELOPER_PORTAL|PUBLIC|SHUTDOWN|LOGIN|RATE_LIMIT|PASSWORD|SESSION)_/;
/** Kubernetes adds <SERVICE>_SERVICE_HOST, <SERVICE>_PORT_… for every service; a service named "temporal" is not a typo of ours. */
const SERVICE_LINK = /_(SERVICE_HOST|SERVICE_PORT(_\w+)?|PORT(_\d+_(TCP|UDP)(_\w+)?)?)$/;

function unknownVariables(env: Record<string, string | undefined>): string[] {
  const known = new Set(KNOWN_VARIABLES);
  return Object.keys(env)
    .filter(
      (name) =>
        OUR_PREFIXES.test(name) &&
        !SERVICE_LINK.test(name) &&
        !known.has(name) &&
        !TEMPORAL_VARIABLE_PREFIXES.some((p) => name.startsWith(p)),
    )
    .map((name) => {
      const guess = closest(name, [...known]);
      return `${name} is not a setting gangway knows${guess ? ` (did you mean ${guess}?)` : ''}`;
    });
}

function closest(name: string, candidates: string[]): string | undefined {
  const distance = (a: string, b: string) => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let previous = row[0];
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const next = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
        previous = row[j];
        row[j] = next;
      }
    }
    return row[b.length];
  };
  const [best] = candidates.map((c) => ({ c, d: distance(name, c) })).sort((x, y) => x.d - y.d);
  return best && best.d <= 3 ? best.c : undefined;
}

/** What each production process cannot do without, and why it may not fall back to a local stand-in. */
const REQUIRED: Record<
  'migrate' | 'api' | 'worker' | 'start',
  { variable: string; missing: (c: Config) => boolean; why: string }[]
> = {
  migrate: [{ variable: 'DATABASE_URL', missing: (c) => !c.databaseUrl, why: 'no embedded PostgreSQL in production' }],
  api: [],
  worker: [],
  start: [],
};
const common = [
  REQUIRED.migrate[0],
  {
    variable: 'TEMPORAL_ADDRESS',
    missing: (c: Config) => !c.temporal.address,
    why: 'no Temporal dev server in production',
  },
  {
    variable: 'GANGWAY_MASTER_KEY',
    missing: (c: Config) => !c.masterKey,
    why: 'never a generated key file in production: keep it in a secret manager',
  },
  {
    variable: 'PUBLIC_URL',
    missing: (c: Config) => c.publicUrl.startsWith('http://127.0.0.1'),
    why: 'every link in mail is built on it',
  },
];
const mail = { variable: 'SMTP_URL', missing: (c: Config) => !c.smtpUrl, why: 'no local mail catcher in production' };
REQUIRED.api.push(...common);
REQUIRED.worker.push(...common, mail);
REQUIRED.start.push(...common, mail);

/**
 * Under GANGWAY_ENV=production, the first setting a process lacks stops it, in one line naming it.
 * Outside production nothing is required here: `npm start` fills the gaps with local stand-ins.
 */
export function requireProductionSettings(config: Config, role: keyof typeof REQUIRED): void {
  if (config.env !== 'production') return;
  const problems = REQUIRED[role].filter((r) => r.missing(config)).map((r) => `${r.variable} is required (${r.why})`);
  if (problems.length > 0) throw new ConfigError(`GANGWAY_ENV=production: ${problems.join('; ')}`);
}
