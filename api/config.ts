import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/**
 * The one environment schema for every GigBit process (api, Temporal worker, scripts).
 * Every number that SPEC.md calls a default lives here or in a rules table, never inline in code.
 */
const HOUR = 60 * 60 * 1000;
const Milliseconds = (defaultValue: number, description: string) =>
  Type.Integer({ minimum: 1, default: defaultValue, description });
const Paise = (defaultValue: number, description: string) =>
  Type.Integer({ minimum: 0, default: defaultValue, description });
const Port = (defaultValue: number, description: string) =>
  Type.Integer({ minimum: 0, maximum: 65535, default: defaultValue, description });

export const EnvSchema = Type.Object({
  // Production unless said otherwise: a forgotten NODE_ENV must never expose development-only routes.
  // Development mode adds the dev mailbox (sign-in codes shown on a page instead of sent); tests run in it too.
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('production')], { default: 'production' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info' },
  ),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1', description: 'Interface the API listens on' }),
  API_PORT: Port(3000, 'HTTP and Socket.IO port of the API'),
  PUBLIC_API_URL: Type.Optional(Type.String({ pattern: '^https?://', description: 'How users reach the API' })),

  DATABASE_URL: Type.String({ pattern: '^postgres(ql)?://', description: 'PostgreSQL connection string' }),
  DATABASE_POOL_MAX: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
  REDIS_URL: Type.Optional(
    Type.String({ pattern: '^rediss?://', description: 'Redis for fan-out; unset means one process' }),
  ),

  REDIS_KEY_PREFIX: Type.String({
    pattern: '^[A-Za-z0-9:_-]{1,64}$',
    default: 'gigbit',
    description: 'Namespaces Redis channels',
  }),

  TEMPORAL_ADDRESS: Type.String({ pattern: '^[^\\s:]+:\\d{1,5}$', default: '127.0.0.1:7233' }),
  TEMPORAL_NAMESPACE: Type.String({ minLength: 1, default: 'default' }),
  TEMPORAL_TASK_QUEUE: Type.String({ minLength: 1, default: 'gigbit' }),
  TEMPORAL_UI_URL: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:8233' }),

  ACCESS_TOKEN_SECRET: Type.String({ minLength: 32, description: 'HMAC key for access tokens (≥ 32 chars)' }),
  ACCESS_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 60, default: 900, description: 'Access token life (15 min)' }),
  REFRESH_TOKEN_TTL_SECONDS: Type.Integer({
    minimum: 300,
    default: 30 * 24 * 60 * 60,
    description: 'Session life without use (30 days); every refresh rotates the token',
  }),
  DATA_ENCRYPTION_KEY: Type.String({
    minLength: 32,
    description: 'Key for secrets stored in the database (admin TOTP seeds), ≥ 32 chars',
  }),
  PASSWORD_HASH_LOG2_COST: Type.Integer({
    minimum: 14,
    maximum: 20,
    default: 15,
    description: 'scrypt cost N = 2^value for admin passwords',
  }),
  SIGN_IN_CODE_TTL_SECONDS: Type.Integer({ minimum: 60, default: 600, description: 'One-time code life (10 min)' }),
  SIGN_IN_CODE_MAX_ATTEMPTS: Type.Integer({ minimum: 1, default: 5, description: 'Wrong tries before a code dies' }),
  SIGN_IN_CODE_SENDS_PER_HOUR: Type.Integer({
    minimum: 1,
    default: 5,
    description: 'Codes sent per identity per hour',
  }),
  SIGN_IN_CODE_RESEND_SECONDS: Type.Integer({ minimum: 0, default: 30, description: 'Wait before another code' }),
  ADMIN_MAX_FAILED_SIGN_INS: Type.Integer({ minimum: 1, default: 5, description: 'Failures before a lockout' }),
  ADMIN_LOCKOUT_MS: Milliseconds(15 * 60 * 1000, 'How long an admin account stays locked'),
  RATE_LIMIT_SIGN_IN_PER_IP: Type.Integer({
    minimum: 1,
    default: 30,
    description: 'Sign-in requests per IP per 15 minutes (mobile carriers share IPs: keep it generous)',
  }),
  RATE_LIMIT_MONEY_PER_MINUTE: Type.Integer({
    minimum: 1,
    default: 30,
    description: 'Money-moving requests per caller',
  }),
  RATE_LIMIT_UPLOADS_PER_MINUTE: Type.Integer({ minimum: 1, default: 10, description: 'Uploads per caller' }),
  CORS_ORIGINS: Type.String({
    pattern: '^(https?://[^\\s,]+)?(,https?://[^\\s,]+)*$',
    default: '',
    description: 'Comma-separated browser origins allowed to call the API; empty allows none',
  }),
  TRUST_PROXY: Type.Optional(
    Type.String({
      description:
        'Addresses or CIDRs (comma-separated), or loopback | linklocal | uniquelocal: the load balancers in front ' +
        'of the API whose X-Forwarded-For is believed; unset believes none, so rate limits and the audit log ' +
        'see the socket peer',
    }),
  ),
  SMTP_URL: Type.Optional(
    Type.String({ pattern: '^smtps?://', description: 'Mail server for sign-in codes; required in production' }),
  ),
  MAIL_FROM: Type.String({ minLength: 3, default: 'GigBit <no-reply@gigbit.in>' }),

  METRICS_ENABLED: Type.Boolean({ default: true, description: 'Serve Prometheus metrics at GET /metrics on the API' }),
  METRICS_TOKEN: Type.Optional(
    Type.String({ minLength: 16, description: 'When set, /metrics requires `Authorization: Bearer <token>`' }),
  ),
  WORKER_METRICS_ADDRESS: Type.Optional(
    Type.String({
      pattern: '^[^\\s:]+:\\d{1,5}$',
      description: 'host:port where the Temporal worker serves its SDK metrics for Prometheus (e.g. 127.0.0.1:9464)',
    }),
  ),

  OUTBOX_POLL_INTERVAL_MS: Milliseconds(1000, 'Relay poll period; LISTEN/NOTIFY wakes it sooner'),
  OUTBOX_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 10000, default: 200 }),

  // Push notifications (SPEC §11): FCM HTTP v1 through firebase-admin. Push is off when neither a project nor the
  // emulator is configured.
  FCM_PROJECT_ID: Type.Optional(
    Type.String({
      pattern: '^[a-z][a-z0-9-]{4,28}[a-z0-9]$',
      description: 'Firebase project that sends pushes (default: the service account’s project_id)',
    }),
  ),
  FCM_SERVICE_ACCOUNT_JSON: Type.Optional(
    Type.String({
      minLength: 2,
      description: 'Service account key file content (JSON); unset uses Google application default credentials',
    }),
  ),
  FCM_EMULATOR_URL: Type.Optional(
    Type.String({
      pattern: '^http://',
      description: 'Development and tests: send to this fake FCM server (simulators/fcm-server.ts); not in production',
    }),
  ),
  PUSH_POLL_INTERVAL_MS: Milliseconds(1000, 'How often the push relay looks for new worker-facing events'),
  PUSH_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'Events per push pass' }),
  PUSH_MAX_ATTEMPTS: Type.Integer({
    minimum: 1,
    maximum: 100,
    default: 10,
    description: 'Passes an event is tried when FCM fails (other than a dead token) before it is given up',
  }),
  PUSH_MAX_AGE_MS: Milliseconds(HOUR, 'Older events are not pushed any more (stale news); the app still lists them'),
  // Web Push for the worker PWA (RFC 8291/8292), beside FCM for native apps; off unless all three are set.
  VAPID_PUBLIC_KEY: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9_-]{86,88}$',
      description: 'VAPID public key (base64url, uncompressed P-256 point); `npm start` generates a pair once',
    }),
  ),
  VAPID_PRIVATE_KEY: Type.Optional(
    Type.String({ pattern: '^[A-Za-z0-9_-]{42,44}$', description: 'VAPID private key (base64url P-256 scalar)' }),
  ),
  VAPID_SUBJECT: Type.Optional(
    Type.String({
      pattern: '^(mailto:[^\\s@]+@[^\\s@]+|https://\\S+)$',
      description: 'Contact for push services (mailto: or https:), sent in every VAPID token',
    }),
  ),

  WEB_PUSH_SERVICE_HOSTS: Type.String({
    pattern: '^(\\*\\.)?[A-Za-z0-9.-]+(,(\\*\\.)?[A-Za-z0-9.-]+)*$',
    default: 'fcm.googleapis.com,updates.push.services.mozilla.com,*.push.apple.com,*.notify.windows.com',
    description:
      'Push services a browser subscription may point at (`*.` admits subdomains): the relay POSTs to every ' +
      'registered endpoint, so any other URL would let a worker aim the server at internal addresses',
  }),

  UPLOAD_DIR: Type.String({
    minLength: 1,
    pattern: '^[^\\0]+$',
    default: '.data/uploads',
    description: 'Where uploaded files (platform logos) are stored',
  }),
  LOGO_MAX_BYTES: Type.Integer({ minimum: 1024, maximum: 10 * 1024 * 1024, default: 256 * 1024 }),
  FRONTS_DIR: Type.String({
    minLength: 1,
    pattern: '^[^\\0]+$',
    default: '.',
    description:
      'Folder holding admin-web/dist (landing page at /, portal at /admin/) and worker-app/dist (at /app/); ' +
      '`npm run build:fronts` writes them',
  }),
  PLATFORM_CONNECTOR_URL: Type.String({
    pattern: '^https?://',
    default: 'http://127.0.0.1:4200',
    description: 'Connector base; a platform is at /platforms/{slug}',
  }),
  EARNINGS_SYNC_INTERVAL_MS: Milliseconds(15 * 60 * 1000, 'How often the earnings-sync Schedule runs'),
  EARNINGS_SYNC_BATCH_SIZE: Type.Integer({
    minimum: 1,
    maximum: 1000,
    default: 50,
    description: 'Accounts per sync activity',
  }),
  LEDGER_RECONCILIATION_INTERVAL_MS: Milliseconds(60 * 60 * 1000, 'How often the reconciliation Schedule runs'),

  WITHDRAWAL_MIN_PAISE: Paise(20_000, 'Smallest withdrawal (₹200)'),
  WITHDRAWAL_MAX_PAISE: Paise(2_500_000, 'Largest withdrawal (₹25,000)'),
  WITHDRAWAL_AUTO_APPROVE_BELOW_PAISE: Paise(500_000, 'Below this a withdrawal is approved automatically (₹5,000)'),
  WITHDRAWAL_SERVICE_FEE_PAISE: Paise(400, 'Service fee per withdrawal (₹4)'),
  INSURANCE_CONTRIBUTION_BPS: Type.Integer({
    minimum: 0,
    maximum: 10_000,
    default: 100,
    description: 'Insured workers: 1% = 100',
  }),
  PAYOUT_RAIL_URL: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:4100' }),
  PAYOUT_RAIL_WEBHOOK_SECRET: Type.String({
    minLength: 32,
    description: 'HMAC key the payout rail signs webhooks with',
  }),
  PAYOUT_STATUS_POLL_MS: Milliseconds(30_000, 'First status poll when no webhook arrived; doubles up to 10 minutes'),

  // Approvals (SPEC §9): escalate at the SLA, expire at APPROVAL_EXPIRY_FACTOR × the SLA.
  APPROVAL_SLA_WITHDRAWAL_MS: Milliseconds(4 * HOUR, 'Withdrawal decision SLA (4 h)'),
  APPROVAL_SLA_LOAN_MS: Milliseconds(24 * HOUR, 'Loan decision SLA (24 h)'),
  APPROVAL_SLA_CLAIM_MS: Milliseconds(24 * HOUR, 'Insurance claim decision SLA (24 h)'),
  APPROVAL_SLA_DELETION_MS: Milliseconds(48 * HOUR, 'Account deletion decision SLA (48 h)'),
  APPROVAL_EXPIRY_FACTOR: Type.Integer({ minimum: 1, maximum: 10, default: 3, description: 'Expiry = factor × SLA' }),
  REQUEST_CLAIM_TTL_MS: Milliseconds(30 * 60 * 1000, 'An admin’s claim on an inbox item lapses after this'),
  REQUEST_RECOVERY_INTERVAL_MS: Milliseconds(
    60_000,
    'How often the API looks for requests whose workflow start was lost',
  ),
  REQUEST_START_GRACE_MS: Type.Integer({
    minimum: 0,
    default: 30_000,
    description: 'How old an unstarted request must be before the recovery sweep starts it',
  }),
  BULK_DECISION_MAX_ITEMS: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  DOCUMENT_MAX_BYTES: Type.Integer({ minimum: 1024, maximum: 20 * 1024 * 1024, default: 5 * 1024 * 1024 }),

  // Loans (SPEC §6); eligibility numbers live in api/domain/loan.ts's rules, amounts here.
  LOAN_MIN_PAISE: Paise(500_000, 'Smallest loan (₹5,000)'),
  LOAN_MAX_PAISE: Paise(5_000_000, 'Largest loan (₹50,000)'),
  LOAN_FOUR_EYES_FROM_PAISE: Paise(2_500_000, 'From this amount two distinct approvers decide (₹25,000)'),
  LOAN_LATE_FEE_PAISE: Paise(10_000, 'Late fee when an instalment falls overdue (₹100)'),
  LOAN_RETRY_INTERVAL_MS: Milliseconds(24 * HOUR, 'Wait between auto-debit attempts of an unpaid instalment'),
  LOAN_RETRIES_BEFORE_OVERDUE: Type.Integer({ minimum: 0, maximum: 60, default: 7 }),
  LOAN_INSTALMENT_PERIOD_MS: Type.Optional(
    Milliseconds(30 * 24 * HOUR, 'Test/demo only: instalments every N ms instead of on calendar due dates'),
  ),

  // Insurance (SPEC §7)
  INSURANCE_PREMIUM_PAISE: Paise(5_000, 'Monthly premium (₹50)'),
  INSURANCE_GRACE_DAYS: Type.Integer({ minimum: 0, maximum: 31, default: 7 }),
  INSURANCE_PREMIUM_INTERVAL_MS: Milliseconds(24 * HOUR, 'How often the premium Schedule bills, retries and lapses'),

  // Account deletion (SPEC §8)
  DELETION_GRACE_MS: Milliseconds(7 * 24 * HOUR, 'After approval, the worker may still cancel for this long'),
});

export type Env = Static<typeof EnvSchema>;

export interface Config extends Env {
  /** Escalation and expiry per request type, from the SLAs above. */
  approvalTimings: Record<'withdrawal' | 'loan' | 'claim' | 'deletion', { slaMs: number; expiryMs: number }>;
  isProduction: boolean;
  isDevelopment: boolean;
  corsOrigins: string[];
  webPushServiceHosts: string[];
  temporalWorkflowUrl: (workflowId: string) => string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Checked here so a typo is listed with the other problems instead of crashing Fastify's construction. */
function trustProxyProblems(setting: string | undefined): string[] {
  if (setting === undefined) return [];
  const bad = setting
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => {
      if (PROXY_RANGE_NAMES.has(entry)) return false;
      const [address = '', prefix, ...rest] = entry.split('/');
      const family = isIP(address);
      if (family === 0 || rest.length > 0) return true;
      return prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
    });
  return bad.length > 0
    ? [`TRUST_PROXY: not an address, CIDR or loopback | linklocal | uniquelocal: ${bad.join(', ')}`]
    : [];
}

/** Environment values are strings; convert, apply defaults, then validate, reporting every problem at once. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const raw = Object.fromEntries(
    Object.keys(EnvSchema.properties).flatMap((key) => {
      const value = source[key];
      return value === undefined || value === '' ? [] : [[key, value]];
    }),
  );
  const candidate = Value.Default(EnvSchema, Value.Convert(EnvSchema, raw));
  const problems = [...Value.Errors(EnvSchema, candidate)].map((error) => {
    const key = error.path.replace(/^\//, '') || '(root)';
    const given = raw[key] === undefined ? 'missing' : `got ${JSON.stringify(redact(key, String(raw[key])))}`;
    return `${key}: ${error.message} (${given})`;
  });
  const env = candidate as Env;
  if (problems.length === 0 && env.WITHDRAWAL_MIN_PAISE > env.WITHDRAWAL_MAX_PAISE) {
    problems.push('WITHDRAWAL_MIN_PAISE: must not exceed WITHDRAWAL_MAX_PAISE');
  }
  // The smallest withdrawal of an insured worker must still pay out something (fees come out of the amount).
  const smallestNet =
    env.WITHDRAWAL_MIN_PAISE -
    env.WITHDRAWAL_SERVICE_FEE_PAISE -
    Math.floor((env.WITHDRAWAL_MIN_PAISE * env.INSURANCE_CONTRIBUTION_BPS) / 10_000);
  if (problems.length === 0 && smallestNet <= 0) {
    problems.push(
      'WITHDRAWAL_MIN_PAISE: must exceed the service fee plus the insurance contribution (nothing would be paid out)',
    );
  }
  if (problems.length === 0) {
    problems.push(...fcmProblems(env), ...trustProxyProblems(env.TRUST_PROXY));
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const uiBase = env.TEMPORAL_UI_URL.replace(/\/$/, '');
  const timings = (slaMs: number) => ({ slaMs, expiryMs: slaMs * env.APPROVAL_EXPIRY_FACTOR });
  return {
    ...env,
    approvalTimings: {
      withdrawal: timings(env.APPROVAL_SLA_WITHDRAWAL_MS),
      loan: timings(env.APPROVAL_SLA_LOAN_MS),
      claim: timings(env.APPROVAL_SLA_CLAIM_MS),
      deletion: timings(env.APPROVAL_SLA_DELETION_MS),
    },
    isProduction: env.NODE_ENV === 'production',
    isDevelopment: env.NODE_ENV === 'development',
    corsOrigins: env.CORS_ORIGINS.split(',').filter(Boolean),
    webPushServiceHosts: env.WEB_PUSH_SERVICE_HOSTS.toLowerCase().split(','),
    temporalWorkflowUrl: (workflowId) =>
      `${uiBase}/namespaces/${encodeURIComponent(env.TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(workflowId)}`,
  };
}

/** What only the API process needs: it sends sign-in codes, so production must have a mail server. */
export function assertApiConfig(config: Config): void {
  if (config.isProduction && !config.SMTP_URL) {
    throw new ConfigError(['SMTP_URL: required in production (sign-in codes must be delivered)']);
  }
}

function redact(key: string, value: string): string {
  return /SECRET|PASSWORD|KEY|URL|ACCOUNT/.test(key) ? `${value.slice(0, 4)}…` : value;
}

/** The FCM settings that only make sense together: a usable service account, no fake FCM in production. */
function fcmProblems(env: Env): string[] {
  const problems: string[] = [];
  if (env.NODE_ENV === 'production' && env.FCM_EMULATOR_URL) {
    problems.push('FCM_EMULATOR_URL: not allowed in production (pushes would never reach a phone)');
  }
  if (env.FCM_SERVICE_ACCOUNT_JSON) {
    let account: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(env.FCM_SERVICE_ACCOUNT_JSON);
      if (parsed && typeof parsed === 'object') {
        account = parsed as Record<string, unknown>;
      }
    } catch {
      // reported below
    }
    const missing = ['project_id', 'client_email', 'private_key'].filter((field) => typeof account[field] !== 'string');
    if (missing.length > 0) {
      problems.push(`FCM_SERVICE_ACCOUNT_JSON: must be a service account key (JSON with ${missing.join(', ')})`);
    }
  }
  return problems;
}

/** Loads `.env` from the working directory when present; real environment variables win over the file. */
export function loadDotEnvFile(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

/** How a process entry reports a fatal start-up error: configuration problems as a plain list, the rest in full. */
export function reportFatal(err: unknown): never {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
