import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { baseProcessEnv, testEnvironment } from '../helpers/environment';
import {
  signInAs,
  startApi,
  testConfig,
  TEST_DATA_KEY,
  TEST_RAIL_SECRET,
  TEST_SECRET,
  type ApiInstance,
} from '../helpers/harness';

const run = promisify(execFile);

/** `npm run gigbit -- create-superadmin`: the only way to the first admin; no credentials live in the repository. */
describe('ops CLI: create-superadmin', () => {
  let database: TestDatabase;
  let api: ApiInstance;
  beforeAll(async () => {
    database = await createTestDatabase();
    api = await startApi(testConfig(database), database);
  });
  afterAll(async () => {
    await api.close();
    await database.drop();
  });

  const cli = (args: string[], password: string) =>
    run(process.execPath, ['--import', 'tsx', path.join(__dirname, '../../scripts/gigbit.ts'), ...args], {
      env: {
        ...baseProcessEnv(),
        DATABASE_URL: database.url,
        TEMPORAL_ADDRESS: testEnvironment().temporalAddress,
        ACCESS_TOKEN_SECRET: TEST_SECRET,
        PAYOUT_RAIL_WEBHOOK_SECRET: TEST_RAIL_SECRET,
        DATA_ENCRYPTION_KEY: TEST_DATA_KEY,
        GIGBIT_ADMIN_PASSWORD: password,
      },
    });

  it('creates a superadmin who signs in with the printed authenticator seed', async () => {
    const password = randomBytes(12).toString('base64url');
    const { stdout } = await cli(['create-superadmin', '--username', 'founder'], password);
    const id = /\(([0-9a-f-]{36})\)/.exec(stdout)![1]!;
    const seed = /seed: ([A-Z2-7]+)/.exec(stdout)![1]!;
    expect(stdout).toMatch(/uri:\s+otpauth:\/\/totp\/GigBit:founder\?secret=/);
    const session = await signInAs(api.app, { adminId: id, username: 'founder', password, totpSecret: seed });
    const roster = await api.app.inject({
      method: 'GET',
      url: '/v1/admin/admins',
      headers: { authorization: `Bearer ${session.token}` },
    });
    expect(roster.json()).toMatchObject({ admins: [{ username: 'founder', role: 'superadmin' }] });
    expect(
      await database.db('audit_log').where({ action: 'admin.created' }).first('actor_kind', 'details'),
    ).toMatchObject({
      actor_kind: 'system',
      details: { via: 'cli', role: 'superadmin' },
    });
  });

  it('refuses a weak password and a taken username, changing nothing', async () => {
    await expect(cli(['create-superadmin', '--username', 'second'], 'short')).rejects.toMatchObject({
      stderr: expect.stringMatching(/at least 12 characters/),
    });
    await expect(
      cli(['create-superadmin', '--username', 'founder'], randomBytes(12).toString('hex')),
    ).rejects.toMatchObject({
      stderr: expect.stringMatching(/already belongs to an admin/),
    });
    expect(await database.db('admins').count('* as n')).toEqual([{ n: 1 }]);
  });
});
