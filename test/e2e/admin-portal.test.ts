import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { authenticator } from 'otplib';
import type { Browser, BrowserContext, Locator, Page, WebSocketRoute } from 'playwright-core';
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
import { desktopContext, launchBrowser, screenshot, screenshotOnFailure } from '../helpers/browser';
import { privateFrontsDir } from './admin-fronts.helpers';
import { applyForLoan, eventually, seedEarningHistory } from '../helpers/loans';

/** The little of the DOM these tests touch inside the page (the test tree's TypeScript has no DOM types). */
interface DomNode {
  cloneNode(deep: boolean): DomNode;
  querySelectorAll(selector: string): Iterable<DomNode>;
  remove(): void;
  getAttribute(name: string): string | null;
  textContent: string | null;
  ownerDocument: { activeElement: unknown };
}

/**
 * Latin-script words a Hindi page may still show: brand and product names, acronyms used as they are in Hindi
 * business writing, the am/pm of CLDR's Hindi time format, file types and the kB unit.
 */
const LATIN_ALLOWED = new Set(['GigBit', 'Temporal', 'Web', 'UI', 'SLA', 'EMI', 'IP', 'am', 'pm', 'kB', 'PDF', 'PNG']);

/**
 * Latin words in a region's text, accessible names (aria-label, title, alt) and every option of its selects,
 * leaving out code (ids, action names, workflow ids) and the given data (people's names and usernames).
 */
async function latinWords(region: Locator, data: Array<string | RegExp>): Promise<string[]> {
  let text = await region.evaluate((element: DomNode) => {
    const copy = element.cloneNode(true);
    for (const code of copy.querySelectorAll('code')) code.remove();
    const names = [...copy.querySelectorAll('[aria-label], [title], [alt]')].map((e) =>
      ['aria-label', 'title', 'alt'].map((a) => e.getAttribute(a) ?? '').join(' '),
    );
    return `${copy.textContent ?? ''} ${names.join(' ')}`;
  });
  for (const value of data) text = typeof value === 'string' ? text.replaceAll(value, ' ') : text.replace(value, ' ');
  return [...new Set(text.match(/[A-Za-z]{2,}/g) ?? [])].filter((word) => !LATIN_ALLOWED.has(word));
}

const hasFocus = (target: Locator) =>
  target.evaluate((element: DomNode) => element === element.ownerDocument.activeElement);

/** Presses Tab until `target` has the focus (keyboard-only navigation, as a user without a mouse does it). */
async function tabTo(page: Page, target: Locator, maxTabs = 80): Promise<void> {
  for (let n = 0; n < maxTabs; n++) {
    if (await hasFocus(target)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${maxTabs} presses of Tab never reached ${target.toString()}`);
}

/** The portal as operations use it: Chromium against the API serving the built portal, real workflows behind. */
describe('admin portal in a browser', () => {
  let h: Harness;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  /** The pages the running test opened: saved as screenshots when it fails. */
  let pages: Page[] = [];
  /** Worker names this file gives people: data, not words of the portal. */
  const workerNames: string[] = [];
  let frontsDir = '';

  beforeAll(async () => {
    frontsDir = await privateFrontsDir();
    [h, browser] = await Promise.all([
      createHarness({ worker: true, listen: true, env: { FRONTS_DIR: frontsDir } }),
      launchBrowser(),
    ]);
  });
  beforeEach(() => {
    pages = [];
  });
  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await h?.close();
    if (frontsDir) rmSync(frontsDir, { recursive: true, force: true });
  });

  async function newPage(context?: BrowserContext): Promise<Page> {
    if (!context) {
      context = await desktopContext(browser, h.api.url);
      contexts.push(context);
    }
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    pages.push(page);
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
    workerNames.push(name);
    return w;
  };
  const requestRow = (id: string) => h.database.db('requests').where({ id }).first<{ status: string }>('status');
  const workflowIdOf = async (id: string) => {
    const row = await h.database.db('requests').where({ id }).first<{ workflow_id: string } | undefined>('workflow_id');
    if (!row) throw new Error(`no request ${id}`);
    return row.workflow_id;
  };

  /** A worker with money and a withdrawal waiting for approval (₹9,500 with a Solo plan needs an approver). */
  async function pendingWithdrawal(name: string, amountPaise = 950_000) {
    const rider = await worker(name);
    await fundWorker(h, rider, { earningsPaise: 2_000_000, plans: ['solo'] });
    const posted = await postWithdrawal(h.api.app, rider.token, randomUUID(), { amountPaise });
    expect(posted.statusCode).toBe(201);
    return posted.json<{ id: string }>().id;
  }

  it(
    'signs in only with the second factor: a wrong code is refused with the API’s message',
    screenshotOnFailure(
      () => pages,
      async () => {
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

        // The page believes its access token expired: the calls and the socket that start together on load share
        // one refresh. Two refreshes would replay a refresh token, which revokes the session and signs the page out.
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
      },
    ),
  );

  it(
    'gives a viewer the pages but no decision or platform controls',
    screenshotOnFailure(
      () => pages,
      async () => {
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
      },
    ),
  );

  // Runs before any test here makes an admin event: the page must not have seen one when its socket drops.
  it(
    'catches up after the socket drops before any event arrived: what was published meanwhile appears',
    screenshotOnFailure(
      () => pages,
      async () => {
        const context = await desktopContext(browser, h.api.url);
        contexts.push(context);
        // The portal's socket goes through this route: the test cuts it, and refuses reconnections for a while.
        let refusing = false;
        const open: WebSocketRoute[] = [];
        await context.routeWebSocket(/\/socket\.io\//, (ws) => {
          if (refusing) {
            void ws.close();
            return;
          }
          ws.connectToServer();
          open.push(ws);
        });
        const page = await newPage(context);
        await signIn(page, await createAdminAccount(h.api.app, 'approver'));
        await page.getByRole('link', { name: 'Approvals inbox' }).click();
        await page.getByLabel('Type').selectOption('withdrawal');
        await page.getByRole('table').first().or(page.getByText('The queue is empty.')).waitFor();
        await page.getByText('Live', { exact: true }).waitFor();
        await page.evaluate('window.marker = "same page"');

        refusing = true;
        await Promise.all(open.splice(0).map((ws) => ws.close()));
        await page.getByText('Reconnecting…').waitFor();
        const id = await pendingWithdrawal('Meena Joshi');
        // Published to the admins' room while this page was cut off from it.
        await eventually(
          () =>
            h.database
              .db('outbox_events')
              .where({ to_admins: true })
              .whereNotNull('delivery_seq')
              .whereRaw(`payload->>'withdrawalId' = ?`, [id])
              .first('id'),
          (row) => row !== undefined,
        );

        refusing = false;
        await page.getByText('Live', { exact: true }).waitFor();
        const arrived = page.getByRole('link', { name: 'Open Withdrawal Meena Joshi ₹9,500.00' });
        await arrived.waitFor();
        await page
          .getByRole('row', { name: /Meena Joshi/ })
          .getByText('New', { exact: true })
          .waitFor();
        expect(await page.evaluate<unknown>('window.marker')).toBe('same page');
      },
    ),
    45_000,
  );

  it(
    'after resync.required the portal rereads its pages over REST instead of replaying from a seq past the gap',
    screenshotOnFailure(
      () => pages,
      async () => {
        const context = await desktopContext(browser, h.api.url);
        contexts.push(context);
        // The API instance's Redis subscriber was down: events other instances relayed were lost while its own
        // arrived, so no seq the page has seen bounds the gap. The test speaks for that instance (`42[...]` is an
        // event frame on the Socket.IO route).
        let route: WebSocketRoute | undefined;
        await context.routeWebSocket(/\/socket\.io\//, (ws) => {
          ws.connectToServer();
          route = ws;
        });
        const page = await newPage(context);
        await signIn(page, await createAdminAccount(h.api.app, 'approver'));
        await page.getByRole('link', { name: 'Approvals inbox' }).click();
        await page.getByLabel('Type').selectOption('withdrawal');
        await page.getByText('Live', { exact: true }).waitFor();
        // A live event first, so the page has a seq it could wrongly resume from.
        await pendingWithdrawal('Rohit Verma');
        await page.getByRole('link', { name: 'Open Withdrawal Rohit Verma ₹9,500.00' }).waitFor();
        await page.evaluate('window.marker = "same page"');

        const rereads: string[] = [];
        page.on('request', (request) => {
          if (request.method() === 'GET' && request.url().includes('/v1/admin/requests?')) rereads.push(request.url());
        });
        route!.send('42["resync.required",{}]');
        await eventually(
          async () => rereads.length,
          (count) => count > 0,
        );
        expect(await page.evaluate<unknown>('window.marker')).toBe('same page');
      },
    ),
    45_000,
  );

  it(
    'changing the inbox filter clears the selection instead of calling the rows changed',
    screenshotOnFailure(
      () => pages,
      async () => {
        await pendingWithdrawal('Farhan Sheikh', 900_000);
        const page = await newPage();
        await signIn(page, await createAdminAccount(h.api.app, 'approver'));
        await page.goto('/admin/inbox?type=withdrawal');
        await page.getByRole('checkbox', { name: 'Select Withdrawal Farhan Sheikh ₹9,000.00' }).check();
        await page.getByText('1 selected').first().waitFor();

        // The loans' list has loaded and is drawn (the withdrawals' rows are kept on screen while it loads).
        await Promise.all([
          page.waitForResponse((r) => /\/v1\/admin\/requests\?.*type=loan/.test(r.url())),
          page.getByLabel('Type').selectOption('loan'),
        ]);
        await eventually(
          () => page.getByRole('cell', { name: /Farhan Sheikh/ }).count(),
          (n) => n === 0,
        );
        // Nothing happened to the withdrawal: it only left the list shown.
        await page.getByText('0 selected').first().waitFor();
        expect(await page.getByText('Changed since you selected it').count()).toBe(0);

        await page.getByLabel('Type').selectOption('withdrawal');
        const box = page.getByRole('checkbox', { name: 'Select Withdrawal Farhan Sheikh ₹9,000.00' });
        await box.waitFor();
        expect(await box.isChecked()).toBe(false);
        await page.getByRole('button', { name: 'Approve selected' }).and(page.locator(':disabled')).waitFor();
      },
    ),
  );

  it(
    'keyboard only: from the inbox to a request, claimed and rejected, focus landing on each new page',
    screenshotOnFailure(
      () => pages,
      async () => {
        const id = await pendingWithdrawal('Kavya Rao', 850_000);
        const page = await newPage();
        await signIn(page, await createAdminAccount(h.api.app, 'approver'));
        await page.goto('/admin/inbox?type=withdrawal');
        const label = 'Withdrawal Kavya Rao ₹8,500.00';
        const open = page.getByRole('link', { name: `Open ${label}`, exact: true });
        await open.waitFor();
        // Each row's controls name the request they act on, not just "Claim".
        await page.getByRole('button', { name: `Claim ${label}`, exact: true }).waitFor();

        // From here on only the keyboard.
        await tabTo(page, open);
        await page.keyboard.press('Enter');
        const heading = page.getByRole('heading', { name: 'Withdrawal ₹8,500.00', level: 1 });
        await heading.waitFor();
        // The new page's heading has the focus (not the body, which would send the next Tab to the sidebar).
        await eventually(
          () => hasFocus(heading),
          (focused) => focused,
        );
        expect(await page.title()).toBe('Withdrawal ₹8,500.00 · GigBit Operations');

        await tabTo(page, page.getByRole('button', { name: 'Claim', exact: true }));
        await page.keyboard.press('Enter');
        await page.getByText(/^Claimed by ops\./).waitFor();
        // A radio group is one Tab stop (the checked radio); the arrow keys choose within it.
        await tabTo(page, page.getByRole('radio', { name: 'Approve' }));
        await page.keyboard.press('ArrowDown');
        expect(await page.getByRole('radio', { name: 'Reject' }).isChecked()).toBe(true);
        await tabTo(page, page.getByLabel('Reason', { exact: true }));
        await page.keyboard.type('Bank account closed');
        await tabTo(page, page.getByRole('button', { name: 'Reject', exact: true }));
        await page.keyboard.press('Enter');
        await page.getByText('Decision recorded: Rejected').waitFor();
        await eventually(
          () => requestRow(id),
          (row) => row?.status === 'rejected',
        );

        // Back to the inbox by keyboard: the focus moves to its heading too.
        await tabTo(page, page.getByRole('link', { name: 'Back to the inbox' }));
        await page.keyboard.press('Enter');
        const inbox = page.getByRole('heading', { name: 'Approvals inbox', level: 1 });
        await inbox.waitFor();
        await eventually(
          () => hasFocus(inbox),
          (focused) => focused,
        );
      },
    ),
    45_000,
  );

  it(
    'approves a ₹30,000 loan under four-eyes in two browsers: the first approval alone disburses nothing',
    screenshotOnFailure(
      () => pages,
      async () => {
        const rider = await worker('Ravi Kumar');
        await seedEarningHistory(h, rider, { registeredDaysAgo: 100, days: 80, perDayPaise: 90_000 });
        const applied = await applyForLoan(h.api.app, rider.token, 3_000_000);
        expect(applied.statusCode).toBe(201);
        const loanId = applied.json<{ id: string }>().id;
        const workflowId = await workflowIdOf(loanId);
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
        const row = first.getByRole('row', { name: /Ravi Kumar/ });
        // The senior-approval star has words for screen readers.
        await row.getByText('A senior approver must approve').waitFor({ state: 'attached' });
        await first.getByRole('link', { name: /^Open Loan Ravi Kumar ₹30,000\.00/ }).click();
        await first.getByText('0 of 2 approvals').waitFor();
        // The detail links to this request's own workflow in the Temporal Web UI.
        const temporalLink = first.getByRole('link', { name: /Open the workflow in Temporal Web UI/ });
        expect(await temporalLink.getAttribute('href')).toBe(h.config.temporalWorkflowUrl(workflowId));
        expect(await temporalLink.getAttribute('href')).toMatch(
          new RegExp(`/workflows/${encodeURIComponent(workflowId)}$`),
        );
        // Claimed while deciding: the other admin's inbox shows who holds it.
        await first.getByRole('button', { name: 'Claim' }).click();
        await first.getByText(/^Claimed by ops\./).waitFor();
        await first.getByText('One approval must come from a senior approver.').waitFor();
        await first.getByRole('button', { name: 'Approve' }).click();
        await first.getByText('Decision recorded: Waiting for approval').waitFor();
        await first.getByText('1 of 2 approvals').waitFor();
        await screenshot(first, 'admin-request-detail');

        // Give the workflow its chance to act on the first approval before asserting it did not disburse: the
        // decision is stored, the Update has completed and no workflow task is pending, so a workflow that wrongly
        // treated one approval as enough would have scheduled the disbursal by now.
        await eventually(
          () => h.database.db('request_timeline').where({ request_id: loanId, kind: 'decision' }).count('* as n'),
          (rows) => Number(rows[0]?.n) === 1,
        );
        const history = await eventually(
          () => h.api.temporal.workflow.getHandle(workflowId).fetchHistory(),
          (fetched) => {
            const events = fetched.events ?? [];
            const updated = events.some((e) => e.workflowExecutionUpdateCompletedEventAttributes);
            const lastDone = events.findLastIndex((e) => e.workflowTaskCompletedEventAttributes);
            const pending = events.slice(lastDone + 1).some((e) => e.workflowTaskScheduledEventAttributes);
            return updated && lastDone >= 0 && !pending;
          },
        );
        const scheduled = (history.events ?? []).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name);
        expect(scheduled).not.toContain('disburseLoan');
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
      },
    ),
    45_000,
  );

  it(
    'decides several withdrawals at once and shows each item’s result, one having been cancelled meanwhile',
    screenshotOnFailure(
      () => pages,
      async () => {
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
        const failed = await results.locator('tr.failed').textContent();
        expect(failed).toContain('₹7,000.00');
        // The error code is worded; the server's own sentence follows for English readers.
        expect(failed).toContain('No longer decidable');
        expect(failed).not.toContain('DECISION_NOT_ALLOWED');
        expect(await results.locator('tr.ok').count()).toBe(2);
        await screenshot(page, 'admin-inbox-bulk-results');

        await eventually(
          () => Promise.all(ids.map(requestRow)),
          (rows) =>
            rows[1]?.status === 'cancelled' && [rows[0], rows[2]].every((r) => r?.status !== 'pending_approval'),
        );
      },
    ),
  );

  it(
    'shows a new request and another admin’s decision in a second browser’s inbox without a reload',
    screenshotOnFailure(
      () => pages,
      async () => {
        const [deciding, watching] = await Promise.all([newPage(), newPage()]);
        await signIn(deciding, await createAdminAccount(h.api.app, 'approver'));
        await signIn(watching, await createAdminAccount(h.api.app, 'approver'));
        await watching.goto('/admin/inbox?type=withdrawal');
        await watching.getByRole('table').first().or(watching.getByText('The queue is empty.')).waitFor();
        // Marks this page load: a reload would lose it.
        await watching.evaluate('window.marker = "same page"');

        const id = await pendingWithdrawal('Imran Ali');
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

        // The watching inbox drops it from the queue live, and what it now holds is the decided request: listed
        // under Rejected and, opened, closed with the reason, all in the same page load.
        await arrived.waitFor({ state: 'detached' });
        await watching.getByLabel('Status').selectOption('rejected');
        const decided = watching.getByRole('row', { name: /Imran Ali/ });
        await decided.getByText('Rejected', { exact: true }).waitFor();
        await decided.getByRole('link', { name: /^Open Withdrawal Imran Ali/ }).click();
        await watching.getByText('This request is closed.').waitFor();
        await watching.getByText('Bank details do not match').first().waitFor();
        expect(await watching.evaluate<unknown>('window.marker')).toBe('same page');
        expect(await requestRow(id)).toMatchObject({ status: 'rejected' });
      },
    ),
  );

  it(
    'speaks Hindi on the request detail, the bulk results, reconciliation and audit pages, with no English left',
    screenshotOnFailure(
      () => pages,
      async () => {
        // A loan to decide (its page has eligibility, decisions and a timeline) and three withdrawals to bulk-approve.
        const borrower = await worker('रीना देवी');
        await seedEarningHistory(h, borrower, { registeredDaysAgo: 100, days: 80, perDayPaise: 90_000 });
        const applied = await applyForLoan(h.api.app, borrower.token, 1_500_000);
        expect(applied.statusCode).toBe(201);
        const loanId = applied.json<{ id: string }>().id;
        const rider = await worker('सुनीता यादव');
        await fundWorker(h, rider, { earningsPaise: 5_000_000, plans: ['duo', 'duo'] });
        const ids: string[] = [];
        for (const amountPaise of [600_000, 700_000, 800_000]) {
          const response = await postWithdrawal(h.api.app, rider.token, randomUUID(), { amountPaise });
          expect(response.statusCode).toBe(201);
          ids.push(response.json<{ id: string }>().id);
        }
        await h.api.temporal.workflow.execute('ledgerReconciliationWorkflow', {
          workflowId: `reconcile-${randomUUID()}`,
          taskQueue: h.config.TEMPORAL_TASK_QUEUE,
        });
        const data = [...workerNames, /ops\.[0-9a-f]{8}/g];

        const page = await newPage();
        await signIn(page, await createAdminAccount(h.api.app, 'approver'));
        await page.getByLabel('Language').selectOption('hi');
        await page.getByRole('heading', { name: 'सारांश', level: 1 }).waitFor();
        const main = page.getByRole('main');

        // Bulk results: the refused item's error is worded in Hindi, not shown as a code or an English sentence.
        await page.goto('/admin/inbox?type=withdrawal');
        for (const amount of ['6,000.00', '7,000.00', '8,000.00']) {
          await page.getByRole('checkbox', { name: `चुनें निकासी सुनीता यादव ₹${amount}` }).check();
        }
        const cancelled = await h.api.app.inject({
          method: 'POST',
          url: `/v1/withdrawals/${ids[1]}/cancel`,
          headers: bearer(rider.token),
        });
        expect(cancelled.statusCode).toBe(200);
        await page.getByText('चुनने के बाद बदल गया').waitFor();
        await page.getByRole('button', { name: 'चुने हुए स्वीकृत करें' }).click();
        const results = page.getByRole('table', { name: 'सामूहिक निर्णय: 2 सफल, 1 विफल' });
        await results.waitFor();
        await results.getByRole('columnheader', { name: 'आईडी' }).waitFor();
        const failed = (await results.locator('tr.failed').textContent()) ?? '';
        expect(failed).toContain('अब निर्णय संभव नहीं');
        expect(failed).not.toMatch(/DECISION_NOT_ALLOWED|Refused/);
        expect(await latinWords(main, data)).toEqual([]);
        await screenshot(page, 'admin-inbox-bulk-results-hi');

        // Request detail: claimed and approved, so its timeline has a claim, a decision and a status change.
        await page.goto(`/admin/requests/${loanId}`);
        await page.getByRole('heading', { name: 'लोन ₹15,000.00', level: 1 }).waitFor();
        await page.getByRole('button', { name: 'क्लेम करें' }).click();
        await page.getByText(/ने क्लेम किया$/).waitFor();
        await page.getByLabel('टिप्पणी (वैकल्पिक)').fill('दस्तावेज़ ठीक हैं');
        await page.getByRole('button', { name: 'स्वीकृत करें' }).click();
        await page.getByText('निर्णय दर्ज: सक्रिय').waitFor();
        await page.getByText('यह अनुरोध बंद है।').waitFor();
        const timeline = page.locator('ol.timeline');
        for (const kind of ['बनाया गया', 'क्लेम किया', 'निर्णय दर्ज हुआ', 'स्थिति बदली']) {
          await timeline.getByText(kind, { exact: true }).first().waitFor();
        }
        for (const label of ['आईडी', 'वर्कफ़्लो', 'वार्षिक दर', 'पात्रता', 'शर्तें', 'अवधि (महीने)']) {
          await main.getByText(label, { exact: true }).first().waitFor();
        }
        await main.getByText(/कम से कम 90 दिन से GigBit के साथ \(\d+\/90\)/).waitFor();
        expect(await latinWords(main, data)).toEqual([]);
        await screenshot(page, 'admin-request-detail-hi');

        await page.getByRole('link', { name: 'मिलान रिपोर्ट' }).click();
        await page.getByRole('cell', { name: 'साफ़' }).first().waitFor();
        await main
          .getByText(/^जर्नल [\d,]+ · पोस्टिंग [\d,]+ · खाते [\d,]+ · लंबित होल्ड [\d,]+$/)
          .first()
          .waitFor();
        expect(await latinWords(main, data)).toEqual([]);
        await screenshot(page, 'admin-reconciliation-hi');

        await page.getByRole('link', { name: 'ऑडिट लॉग' }).click();
        await page.getByRole('cell', { name: 'admin.signed_in' }).first().waitFor();
        expect(await page.getByLabel('परिणाम').locator('option').allTextContents()).toEqual([
          'सभी',
          'सफल',
          'अस्वीकृत',
          'विफल',
        ]);
        await main.getByRole('cell', { name: 'सफल', exact: true }).first().waitFor();
        await main
          .getByText(/^एडमिन/)
          .first()
          .waitFor();
        expect(await latinWords(main, data)).toEqual([]);
        await screenshot(page, 'admin-audit-hi');
      },
    ),
    60_000,
  );
});
