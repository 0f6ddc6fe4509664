import { randomBytes } from 'node:crypto';
import { assertApiConfig, ConfigError, loadConfig } from '../../api/config';

const key = () => randomBytes(32).toString('hex');
const minimal = {
  DATABASE_URL: 'postgres://gigbit@127.0.0.1:5432/gigbit',
  ACCESS_TOKEN_SECRET: key(),
  PAYOUT_RAIL_WEBHOOK_SECRET: key(),
  DATA_ENCRYPTION_KEY: key(),
  SMTP_URL: 'smtp://mail.internal:587',
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('applies the documented defaults to a minimal environment', () => {
    const config = loadConfig(minimal);
    expect(config).toMatchObject({
      NODE_ENV: 'production',
      API_PORT: 3000,
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'gigbit',
      WITHDRAWAL_MIN_PAISE: 20_000,
      WITHDRAWAL_MAX_PAISE: 2_500_000,
      APPROVAL_SLA_WITHDRAWAL_MS: 4 * 60 * 60 * 1000,
      approvalTimings: {
        withdrawal: { slaMs: 4 * 60 * 60 * 1000, expiryMs: 12 * 60 * 60 * 1000 },
        loan: { slaMs: 24 * 60 * 60 * 1000, expiryMs: 72 * 60 * 60 * 1000 },
        claim: { slaMs: 24 * 60 * 60 * 1000, expiryMs: 72 * 60 * 60 * 1000 },
        deletion: { slaMs: 48 * 60 * 60 * 1000, expiryMs: 144 * 60 * 60 * 1000 },
      },
      isDevelopment: false,
      isProduction: true,
    });
    expect(config.REDIS_URL).toBeUndefined();
  });

  it('converts numeric strings and treats empty values as unset', () => {
    const config = loadConfig({ ...minimal, API_PORT: '8080', REDIS_URL: '', WITHDRAWAL_MIN_PAISE: '50000' });
    expect(config.API_PORT).toBe(8080);
    expect(config.WITHDRAWAL_MIN_PAISE).toBe(50_000);
    expect(config.REDIS_URL).toBeUndefined();
  });

  it('lists every problem at once, naming each key', () => {
    const problems = problemsOf({
      API_PORT: 'eighty',
      NODE_ENV: 'staging',
      REDIS_URL: 'localhost:6379',
      TEMPORAL_ADDRESS: 'no-port',
      ACCESS_TOKEN_SECRET: 'short',
    });
    const keys = [...new Set(problems.map((p) => p.split(':')[0]))].sort();
    expect(keys).toEqual([
      'ACCESS_TOKEN_SECRET',
      'API_PORT',
      'DATABASE_URL',
      'DATA_ENCRYPTION_KEY',
      'NODE_ENV',
      'PAYOUT_RAIL_WEBHOOK_SECRET',
      'REDIS_URL',
      'TEMPORAL_ADDRESS',
    ]);
    expect(problems.find((p) => p.startsWith('DATABASE_URL'))).toMatch(/missing/);
    expect(problems.find((p) => p.startsWith('API_PORT'))).toMatch(/"eighty"/);
  });

  it('never echoes secrets or connection strings in full', () => {
    const shortSecret = randomBytes(8).toString('hex');
    const problems = problemsOf({
      ...minimal,
      ACCESS_TOKEN_SECRET: shortSecret,
      DATABASE_URL: 'mysql://user:pw@host/db',
    });
    expect(problems.join('\n')).not.toContain(shortSecret);
    expect(problems.join('\n')).not.toContain('user:pw');
  });

  it('requires a mail server in production, where codes must really be delivered', () => {
    const { SMTP_URL: _unused, ...withoutMail } = minimal;
    // The Temporal worker sends no mail: the shared schema accepts this, the API refuses it.
    const production = loadConfig(withoutMail);
    expect(() => assertApiConfig(production)).toThrow('SMTP_URL: required in production');
    expect(() => assertApiConfig(loadConfig(minimal))).not.toThrow();
    expect(() => assertApiConfig(loadConfig({ ...withoutMail, NODE_ENV: 'development' }))).not.toThrow();
  });

  it('reads the CORS allowlist as a list of origins', () => {
    expect(loadConfig(minimal).corsOrigins).toEqual([]);
    expect(
      loadConfig({ ...minimal, CORS_ORIGINS: 'https://admin.gigbit.in,https://app.gigbit.in' }).corsOrigins,
    ).toEqual(['https://admin.gigbit.in', 'https://app.gigbit.in']);
    expect(problemsOf({ ...minimal, CORS_ORIGINS: '*' })[0]).toMatch(/^CORS_ORIGINS/);
  });

  it('takes trusted proxies as addresses, CIDRs or range names, and lists a typo instead of crashing later', () => {
    expect(loadConfig(minimal).TRUST_PROXY).toBeUndefined();
    expect(loadConfig({ ...minimal, TRUST_PROXY: '10.0.0.0/8, fd00::/8,127.0.0.1' }).TRUST_PROXY).toBe(
      '10.0.0.0/8, fd00::/8,127.0.0.1',
    );
    expect(loadConfig({ ...minimal, TRUST_PROXY: 'uniquelocal' }).TRUST_PROXY).toBe('uniquelocal');
    // A hop count is refused: it would believe any direct client's own X-Forwarded-For.
    expect(problemsOf({ ...minimal, TRUST_PROXY: '1,10.0.0.0/33,10.1.2.0/24,lb.internal' })).toEqual([
      'TRUST_PROXY: not an address, CIDR or loopback | linklocal | uniquelocal: 1, 10.0.0.0/33, lb.internal',
    ]);
  });

  it('refuses inconsistent withdrawal bounds', () => {
    expect(problemsOf({ ...minimal, WITHDRAWAL_MIN_PAISE: '500000', WITHDRAWAL_MAX_PAISE: '100000' })).toEqual([
      'WITHDRAWAL_MIN_PAISE: must not exceed WITHDRAWAL_MAX_PAISE',
    ]);
    // ₹4.04 − ₹4 fee − 1% (4 paise) leaves nothing; ₹4.05 leaves a paisa.
    expect(problemsOf({ ...minimal, WITHDRAWAL_MIN_PAISE: '404' })).toEqual([
      'WITHDRAWAL_MIN_PAISE: must exceed the service fee plus the insurance contribution (nothing would be paid out)',
    ]);
    expect(loadConfig({ ...minimal, WITHDRAWAL_MIN_PAISE: '405' }).WITHDRAWAL_MIN_PAISE).toBe(405);
  });

  it('refuses the fake FCM server in production and a service account that is not one', () => {
    expect(problemsOf({ ...minimal, FCM_EMULATOR_URL: 'http://127.0.0.1:4300' })).toEqual([
      'FCM_EMULATOR_URL: not allowed in production (pushes would never reach a phone)',
    ]);
    expect(
      loadConfig({ ...minimal, NODE_ENV: 'development', FCM_EMULATOR_URL: 'http://127.0.0.1:4300' }),
    ).toMatchObject({ FCM_EMULATOR_URL: 'http://127.0.0.1:4300', PUSH_POLL_INTERVAL_MS: 1000, PUSH_MAX_ATTEMPTS: 10 });
    expect(problemsOf({ ...minimal, FCM_SERVICE_ACCOUNT_JSON: '{"project_id":"gigbit-prod"}' })).toEqual([
      'FCM_SERVICE_ACCOUNT_JSON: must be a service account key (JSON with client_email, private_key)',
    ]);
    expect(problemsOf({ ...minimal, FCM_SERVICE_ACCOUNT_JSON: 'not json' })).toEqual([
      'FCM_SERVICE_ACCOUNT_JSON: must be a service account key (JSON with project_id, client_email, private_key)',
    ]);
  });

  it('builds Temporal Web UI links from the configured base', () => {
    const config = loadConfig({
      ...minimal,
      TEMPORAL_UI_URL: 'https://temporal.example.in/',
      TEMPORAL_NAMESPACE: 'prod',
    });
    expect(config.temporalWorkflowUrl('withdrawal-1')).toBe(
      'https://temporal.example.in/namespaces/prod/workflows/withdrawal-1',
    );
  });
});
