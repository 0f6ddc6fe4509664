import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { authenticator } from 'otplib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  bearer,
  createAdminAccount,
  createHarness,
  fundWorker,
  postWithdrawal,
  signInWorker,
  type AdminAccount,
  type Harness,
} from '../helpers/harness';
import { desktopContext, launchBrowser, screenshot } from '../helpers/browser';
import { privateFrontsDir } from './admin-fronts.helpers';
import { eventually, seedEarningHistory, uploadDocument } from '../helpers/loans';

/** The portal as operations use it: Chromium against the API serving the built portal, real workflows behind. */
describe('admin portal in a browser', () => {
  let h: Harness;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let frontsDir = '';

  beforeAll(async () => {
    frontsDir = await privateFrontsDir();
    [h, browser] = await Promise.all([
      createHarness({ worker: true, listen: true, env: { FRONTS_DIR: frontsDir } }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await h?.close();
    if (frontsDir) rmSync(frontsDir, { recursive: true, force: true });
  });

  async function newPage(): Promise<Page> {
    const context = await desktopContext(browser, h.api.url);
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    return page;
  }

  /** Password step; stops at the authenticator step. */
  async function passwordStep(page: Page, account: AdminAccount) {
    await page.goto('/admin/');
    await page.getByLabel('Username').fill(account.username);
    await page.getByLabel('Password').fill(account.password);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Authenticator code').waitFor();
  }

  async function signIn(page: Page, account: AdminAccount) {
    await passwordStep(page, account);
    await page.getByLabel('Authenticator code').fill(authenticator.generate(account.totpSecret));
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  }

  const worker = async (name: string) => {
    const w = await signInWorker(h.api.app);
    await h.database.db('workers').where({ id: w.workerId }).update({ display_name: name });
    return w;
  };
  const requestRow = (id: string) => h.database.db('requests').where({ id }).first<{ status: string }>('status');

  it('signs in only with the second factor: a wrong code is refused with the API’s message', async () => {
    const account = await createAdminAccount(h.api.app, 'approver');
    const page = await newPage();
    await page.goto('/admin/');
    await screenshot(page, 'admin-sign-in');
    await passwordStep(page, account);

    const good = authenticator.generate(account.totpSecret);
    const wrong = String((Number(good) + 500_000) % 1_000_000).padStart(6, '0');
    await page.getByLabel('Authenticator code').fill(wrong);
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toMatch(/code/i);
    await screenshot(page, 'admin-second-factor-refused');
    // Still signed out: no portal navigation, the code step is still there.
    expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);

    // Keyboard only: type the code and press Enter.
    await page.getByLabel('Authenticator code').focus();
    await page.keyboard.type(good);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.getByText(account.username).waitFor();
    expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(true);

    // The page believes its access token expired: the calls and the socket that start together on load share one
    // refresh. Two refreshes would replay a refresh token, which revokes the session and signs the page out.
    const expire = () =>
      page.evaluate(`(() => {
        const key = 'gigbit.admin.session';
        const session = JSON.parse(sessionStorage.getItem(key));
        sessionStorage.setItem(key, JSON.stringify({ ...session, expiresAt: new Date(0).toISOString() }));
        return session.refreshToken;
      })()`);
    const before = await expire();
    await page.reload();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.getByText('Live', { exact: true }).waitFor();
    const after = await page.evaluate<unknown>(
      `JSON.parse(sessionStorage.getItem('gigbit.admin.session')).refreshToken`,
    );
    expect(after).not.toBe(before);
    await page.reload();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    const reused = await h.database
      .db('audit_log')
      .where({ action: 'session.refresh_reused' })
      .count<Array<{ count: string }>>('* as count');
    expect(Number(reused[0]!.count)).toBe(0);
  });

  it('gives a viewer the pages but no decision or platform controls', async () => {
    const page = await newPage();
    await signIn(page, await createAdminAccount(h.api.app, 'viewer'));
    await page.getByRole('link', { name: 'Approvals inbox' }).click();
    await page.getByRole('heading', { name: 'Approvals inbox', level: 1 }).waitFor();
    expect(await page.getByRole('button', { name: 'Approve selected' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Platforms' }).click();
    await page.getByRole('cell', { name: 'Zomato', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Create platform' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Disable Zomato' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Admins' }).count()).toBe(0);
  });

  it('approves a ₹30,000 loan under four-eyes in two browsers: the first approval alone disburses nothing', async () => {
    const rider = await worker('Ravi Kumar');
    await seedEarningHistory(h, rider, { registeredDaysAgo: 100, days: 80, perDayPaise: 90_000 });
    const applied = await h.api.app.inject({
      method: 'POST',
      url: '/v1/loans',
      headers: { ...bearer(rider.token), 'idempotency-key': randomUUID() },
      payload: { amountPaise: 3_000_000, documentId: await uploadDocument(h.api.app, rider.token) },
    });
    expect(applied.statusCode).toBe(201);
    const loanId = applied.json<{ id: string }>().id;
    const disbursals = async () =>
      Number(
        (
          await h.database
            .db('ledger_journals')
            .where({ idempotency_key: `loan:${loanId}:disbursal` })
            .count<Array<{ count: string }>>('* as count')
        )[0]!.count,
      );

    const [first, second] = await Promise.all([newPage(), newPage()]);
    await signIn(first, await createAdminAccount(h.api.app, 'approver'));
    await signIn(second, await createAdminAccount(h.api.app, 'senior_approver'));

    // The first admin finds it in the inbox and approves it from its page.
    await first.getByRole('link', { name: 'Approvals inbox' }).click();
    await first.getByLabel('Type').selectOption('loan');
    await first.getByRole('link', { name: /^Open Loan Ravi Kumar ₹30,000\.00/ }).click();
    await first.getByText('0 of 2 approvals').waitFor();
    // Claimed while deciding: the other admin's inbox shows who holds it.
    await first.getByRole('button', { name: 'Claim' }).click();
    await first.getByText(/^Claimed by ops\./).waitFor();
    await first.getByText('One approval must come from a senior approver.').waitFor();
    await first.getByRole('button', { name: 'Approve' }).click();
    await first.getByText('Decision recorded: Waiting for approval').waitFor();
    await first.getByText('1 of 2 approvals').waitFor();
    await screenshot(first, 'admin-request-detail');
    expect(await disbursals()).toBe(0);
    expect(await requestRow(loanId)).toMatchObject({ status: 'pending_approval' });

    // The second admin, in another browser, sees the first approval and gives the second.
    await second.goto(`/admin/requests/${loanId}`);
    await second.getByText('1 of 2 approvals').waitFor();
    await second.getByRole('button', { name: 'Approve' }).click();
    await second.getByText('Decision recorded: Active').waitFor();
    await second.getByText('2 of 2 approvals').waitFor();
    await screenshot(second, 'admin-request-detail-four-eyes-done');
    expect(await disbursals()).toBe(1);
    // The first browser learns it live (no reload): the request is closed there too.
    await first.getByText('This request is closed.').waitFor();
  });

  it('decides several withdrawals at once and shows each item’s result, one having been cancelled meanwhile', async () => {
    const rider = await worker('Sana Shaikh');
    await fundWorker(h, rider, { earningsPaise: 5_000_000, plans: ['duo', 'duo'] });
    const ids: string[] = [];
    for (const amountPaise of [600_000, 700_000, 800_000]) {
      const response = await postWithdrawal(h.api.app, rider.token, randomUUID(), { amountPaise });
      expect(response.statusCode).toBe(201);
      ids.push(response.json<{ id: string }>().id);
    }
    const page = await newPage();
    await signIn(page, await createAdminAccount(h.api.app, 'approver'));
    await page.goto('/admin/inbox?type=withdrawal');
    for (const amount of ['6,000.00', '7,000.00', '8,000.00']) {
      await page.getByRole('checkbox', { name: `Select Withdrawal Sana Shaikh ₹${amount}` }).check();
    }
    await page.getByText('3 selected').first().waitFor();

    // While the admin decides, the worker cancels the ₹7,000 one; the inbox learns it live and marks it changed.
    const cancelled = await h.api.app.inject({
      method: 'POST',
      url: `/v1/withdrawals/${ids[1]}/cancel`,
      headers: bearer(rider.token),
    });
    expect(cancelled.statusCode).toBe(200);
    await page.getByText('Changed since you selected it').waitFor();
    await page.getByRole('button', { name: 'Approve selected' }).click();

    const results = page.getByRole('table', { name: 'Bulk decision: 2 succeeded, 1 failed' });
    await results.waitFor();
    const rows = results.locator('tbody tr');
    expect(await rows.count()).toBe(3);
    expect(await results.locator('tr.failed').count()).toBe(1);
    expect(await results.locator('tr.failed').textContent()).toContain('₹7,000.00');
    expect(await results.locator('tr.ok').count()).toBe(2);
    await screenshot(page, 'admin-inbox-bulk-results');

    await eventually(
      () => Promise.all(ids.map(requestRow)),
      (rows) => rows[1]?.status === 'cancelled' && [rows[0], rows[2]].every((r) => r?.status !== 'pending_approval'),
    );
  });

  it('shows a new request and another admin’s decision in a second browser’s inbox without a reload', async () => {
    const [deciding, watching] = await Promise.all([newPage(), newPage()]);
    await signIn(deciding, await createAdminAccount(h.api.app, 'approver'));
    await signIn(watching, await createAdminAccount(h.api.app, 'approver'));
    await watching.goto('/admin/inbox?type=withdrawal');
    await watching.getByRole('table').first().or(watching.getByText('The queue is empty.')).waitFor();
    // Marks this page load: a reload would lose it.
    await watching.evaluate('window.marker = "same page"');

    const rider = await worker('Imran Ali');
    await fundWorker(h, rider, { earningsPaise: 2_000_000, plans: ['solo'] });
    const posted = await postWithdrawal(h.api.app, rider.token, randomUUID(), { amountPaise: 950_000 });
    expect(posted.statusCode).toBe(201);
    const id = posted.json<{ id: string }>().id;

    const arrived = watching.getByRole('link', { name: 'Open Withdrawal Imran Ali ₹9,500.00' });
    await arrived.waitFor();
    await watching
      .getByRole('row', { name: /Imran Ali/ })
      .getByText('New', { exact: true })
      .waitFor();
    await screenshot(watching, 'admin-inbox');

    await deciding.goto(`/admin/requests/${id}`);
    await deciding.getByLabel('Reject').check();
    await deciding.getByRole('button', { name: 'Reject' }).click();
    // A rejection needs a reason: refused in the page, nothing sent.
    await deciding.getByText('A reason is required to reject.').waitFor();
    expect(await requestRow(id)).toMatchObject({ status: 'pending_approval' });
    await deciding.getByLabel('Reason', { exact: true }).fill('Bank details do not match');
    await deciding.getByRole('button', { name: 'Reject' }).click();
    await deciding.getByText('Decision recorded: Rejected').waitFor();

    await arrived.waitFor({ state: 'detached' });
    expect(await watching.evaluate<unknown>('window.marker')).toBe('same page');
    expect(await requestRow(id)).toMatchObject({ status: 'rejected' });
  });
});
