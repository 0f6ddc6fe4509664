import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startApi, testConfig, type ApiInstance } from '../helpers/harness';

/** Sign-in codes by email through nodemailer to a real SMTP server process (simulators/smtp-server.ts). */
describe('email delivery of sign-in codes over SMTP', () => {
  let database: TestDatabase;
  let smtp: ChildProcess;
  let ports: { smtpPort: number; httpPort: number };
  const apis: ApiInstance[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    smtp = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '../../simulators/smtp-server.ts')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    ports = await new Promise((resolve, reject) => {
      smtp.stdout!.once('data', (chunk: Buffer) =>
        resolve(JSON.parse(chunk.toString().split('\n')[0]!) as typeof ports),
      );
      smtp.once('exit', (code) => reject(new Error(`SMTP server exited with ${code}`)));
    });
  });
  afterAll(async () => {
    await Promise.all(apis.map((api) => api.close()));
    smtp.kill('SIGTERM');
    await database.drop();
  });

  async function api(smtpUrl: string): Promise<ApiInstance> {
    // Production mode: no dev mailbox, so the code can only arrive by mail.
    const instance = await startApi(testConfig(database, { NODE_ENV: 'production', SMTP_URL: smtpUrl }), database);
    apis.push(instance);
    return instance;
  }

  it('mails the code, which then signs the worker in', async () => {
    const { app } = await api(`smtp://127.0.0.1:${ports.smtpPort}`);
    const email = `rider.${Date.now()}@example.in`;
    const sent = await app.inject({ method: 'POST', url: '/v1/auth/codes', payload: { email } });
    expect(sent.statusCode).toBe(202);

    const inbox = (await (await fetch(`http://127.0.0.1:${ports.httpPort}/messages?to=${email}`)).json()) as {
      messages: Array<{ from: string; raw: string; body: string }>;
    };
    expect(inbox.messages).toHaveLength(1);
    const mail = inbox.messages[0]!;
    expect(mail.from).toBe('no-reply@gigbit.in');
    expect(mail.raw).toMatch(/^Subject: Your GigBit sign-in code\r?$/m);
    expect(mail.body).toMatch(/^\d{6} is your GigBit sign-in code\. It expires in 10 minutes\./);
    const code = /^(\d{6})/.exec(mail.body)![1];

    const signedIn = await app.inject({ method: 'POST', url: '/v1/auth/sign-in', payload: { email, code } });
    expect(signedIn.statusCode).toBe(200);
  });

  it('answers 503 and stores nothing when the mail server is down', async () => {
    const { app } = await api('smtp://127.0.0.1:1');
    const email = `down.${Date.now()}@example.in`;
    const sent = await app.inject({ method: 'POST', url: '/v1/auth/codes', payload: { email } });
    expect(sent.statusCode).toBe(503);
    expect(sent.json()).toMatchObject({
      error: { code: 'DEPENDENCY_UNAVAILABLE', message: expect.stringMatching(/try again/) },
    });
    expect(await database.db('sign_in_codes').where({ identity: `email:${email}` })).toEqual([]);
    // Nothing was counted against the address either: it may ask again at once.
    expect(await database.db('audit_log').where({ action: 'worker.code_sent' }).count('* as n')).toEqual([{ n: 1 }]);
  });
});
