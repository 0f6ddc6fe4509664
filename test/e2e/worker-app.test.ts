import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startPlatformSimulator, type PlatformSimulator } from '../../simulators/platform';
import { browserSubscriptionKeys } from '../../simulators/web-push-server';
import { launchBrowser, phoneContext, screenshot } from '../helpers/browser';
import { bearer, createHarness, fundWorker, signInAdmin, type Harness } from '../helpers/harness';
import { eventually } from '../helpers/loans';
import { rulesOf, rupeesText, signInThroughApp, waitForText, waitForValue } from './worker-app.helpers';

const tab = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });

/**
 * The worker PWA on the real stack (API serving the built app, Temporal worker, payout rail, platform simulator) in
 * Chromium at phone size: sign in, plan, connect, sync, withdraw twice (one live to paid, one through an admin's
 * approval), every screen photographed, and an offline start from the service worker's cache.
 */
describe('worker app (phone, Chromium)', () => {
  let h: Harness;
  let platform: PlatformSimulator;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    platform = await startPlatformSimulator({ seed: `worker-app-${Date.now()}`, historyDays: 75 });
    h = await createHarness({
      listen: true,
      worker: true,
      env: { PLATFORM_CONNECTOR_URL: platform.url, APPROVAL_SLA_WITHDRAWAL_MS: '120000' },
    });
    browser = await launchBrowser();
    context = await phoneContext(browser, h.api.url);
    page = await context.newPage();
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await h?.close();
    await platform?.close();
  });

  it('sign-in → plan → connect → sync → a withdrawal paid live → one approved by an admin, no reload', async () => {
    await page.goto('/app/');
    await page.getByRole('heading', { name: 'Your earnings, when you need them' }).waitFor();
    await screenshot(page, 'worker-sign-in');
    const worker = await signInThroughApp(page, h);
    // ₹25 from before the app: exactly a Solo plan.
    await fundWorker(h, worker, { earningsPaise: 2_500, plans: [] });

    await page.getByRole('button', { name: 'Plans', exact: true }).click();
    const solo = page.getByRole('listitem', { name: 'Solo' });
    await solo.getByRole('button', { name: 'Buy for ₹25' }).click();
    await page.getByText('Solo bought. You have more withdrawals now.').waitFor();
    await page.getByText('0 of 1 platform slots used').waitFor();
    await screenshot(page, 'worker-plans');

    await tab(page, 'Home').click();
    await page.getByRole('button', { name: 'Platforms', exact: true }).click();
    const zomato = page.getByRole('listitem', { name: 'Zomato' });
    await zomato.getByRole('button', { name: 'Connect' }).click();
    const platformPhone = `98${String(Date.now()).slice(-8)}`;
    await zomato.getByLabel('Phone number on Zomato').fill(platformPhone);
    await zomato.getByRole('button', { name: 'Get code from Zomato' }).click();
    await zomato.getByLabel('Code Zomato sent you').waitFor();
    await zomato.getByLabel('Code Zomato sent you').fill(platform.lastOtp('zomato', platformPhone)!);
    await zomato.getByRole('button', { name: 'Connect', exact: true }).click();
    await zomato.getByRole('button', { name: 'Disconnect' }).waitFor();
    await page.getByText('1 of 1 platform slots used').waitFor();

    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.getByText(/Sync finished: \d+ new trips, ₹[\d,]+/).waitFor({ timeout: 30_000 });
    await screenshot(page, 'worker-platforms');

    await tab(page, 'Home').click();
    const balance = await eventually(
      async () =>
        (await h.api.app.inject({ method: 'GET', url: '/v1/me/balance', headers: bearer(worker.token) })).json<{
          spendablePaise: number;
        }>(),
      (b) => b.spendablePaise > 0,
    );
    expect(balance.spendablePaise).toBeGreaterThan(700_000);
    const rupees = (paise: number) => `₹${Math.floor(paise / 100).toLocaleString('en-IN')}`;
    await waitForText(page.getByTestId('spendable'), new RegExp(`^${rupees(balance.spendablePaise)}`));
    await page.getByRole('region', { name: 'Earnings by platform' }).getByText('Zomato').waitFor();
    await waitForText(page.getByTestId('allowance'), '2');
    await screenshot(page, 'worker-home');

    // Below the approval threshold: approved automatically, and the screen follows it to the bank without a reload.
    // Every figure the screen states is the configured one (GET /v1/rules), not a number copied into the app.
    const rules = await rulesOf(h);
    await page.evaluate('window.marker = 42');
    await tab(page, 'Withdraw').click();
    await page
      .getByText(
        `From ${rupeesText(rules.withdrawal.minPaise)} to ${rupeesText(rules.withdrawal.maxPaise)} per withdrawal`,
      )
      .waitFor();
    await page.getByLabel('Amount in ₹').fill('1000');
    await waitForText(page.getByTestId('net'), '₹996');
    // Whether it waits for approval is the preview's answer (the threshold is configured), not the app's guess.
    await page.getByText('This amount goes out straight away.').waitFor();
    await screenshot(page, 'worker-withdraw');
    await page.getByRole('button', { name: 'Withdraw ₹1,000' }).click();
    await waitForText(page.getByTestId('withdrawal-status'), 'Paid to your bank', 30_000);
    await screenshot(page, 'worker-withdraw-paid');

    // From the threshold: waits for an admin; the decision made through the admin API reaches the screen live.
    await page.getByRole('button', { name: 'New withdrawal' }).click();
    await page.getByLabel('Amount in ₹').fill('6000');
    await page
      .getByText(
        `Our team checks amounts of ${rupeesText(rules.withdrawal.approvalFromPaise)} or more first, ` +
          'usually within a few hours.',
      )
      .waitFor();
    await page.getByRole('button', { name: 'Withdraw ₹6,000' }).click();
    await waitForText(page.getByTestId('withdrawal-status'), 'Waiting for approval');
    await page.getByRole('button', { name: 'Cancel withdrawal' }).waitFor();
    await screenshot(page, 'worker-withdraw-waiting');
    const withdrawalId = await page.evaluate<string | null>("localStorage.getItem('gigbit.lastWithdrawal')");
    const admin = await signInAdmin(h.api.app);
    const decision = await h.api.app.inject({
      method: 'POST',
      url: `/v1/admin/withdrawals/${withdrawalId}/decision`,
      headers: bearer(admin.token),
      payload: { decision: 'approve' },
    });
    expect(decision.statusCode).toBe(200);
    await waitForText(page.getByTestId('withdrawal-status'), 'Paid to your bank', 30_000);
    expect(await page.evaluate<number>('window.marker')).toBe(42);

    // The allowance is now used up: the preview says so in plain words before anything is sent.
    await page.getByRole('button', { name: 'New withdrawal' }).click();
    await page.getByLabel('Amount in ₹').fill('500');
    await page
      .getByText('You have used all your withdrawals for now. More are added at midnight, or buy a plan to get more.')
      .waitFor();
    expect(await page.getByRole('button', { name: 'Withdraw ₹500' }).isDisabled()).toBe(true);
    await screenshot(page, 'worker-withdraw-refused');
  }, 85_000);

  it('every other screen renders; notifications, history and settings show the movements; Hindi', async () => {
    const session = JSON.parse(
      (await page.evaluate<string | null>("localStorage.getItem('gigbit.session')")) ?? '{}',
    ) as {
      accessToken: string;
      subjectId: string;
    };
    const rules = await rulesOf(h);
    // Joined today: the window starts at registration, so no day counts yet and the score holds them back.
    const { eligibility } = (
      await h.api.app.inject({ method: 'GET', url: '/v1/loans/eligibility', headers: bearer(session.accessToken) })
    ).json<{
      eligibility: {
        score: number;
        minScore: number;
        windowDays: number;
        goodDayPaise: number;
        conditions: Array<{ code: string; have: number; need: number }>;
        limitingCondition: { code: string } | null;
      };
    }>();
    expect(eligibility.limitingCondition?.code).toBe('LOW_SCORE');
    const c3 = eligibility.conditions.find((c) => c.code === 'C3')!;
    await tab(page, 'Loans').click();
    await page.getByText('Not yet').waitFor();
    await waitForText(
      page.getByRole('note'),
      `What holds you back: Your score is ${eligibility.score}; you need ${eligibility.minScore}. ` +
        'Work on more days to raise it.',
    );
    await page
      .getByText(
        `${c3.have} of ${c3.need} days earning ${rupeesText(eligibility.goodDayPaise)} or more ` +
          `in the last ${eligibility.windowDays} days`,
      )
      .waitFor();
    await screenshot(page, 'worker-loans');

    await tab(page, 'Insurance').click();
    await waitForText(page.getByTestId('cover-status'), /Not covered/);
    await page.getByRole('button', { name: 'Get covered for ₹50 a month' }).waitFor();
    await screenshot(page, 'worker-insurance');

    await tab(page, 'More').click();
    await screenshot(page, 'worker-more');
    await page.getByRole('link', { name: 'Money history' }).click();
    await page.getByText('To your bank').first().waitFor();
    await page.getByText('Earning · Zomato').first().waitFor();
    await page.getByText('−₹5,996').waitFor();
    await screenshot(page, 'worker-history');

    await page.getByRole('button', { name: /^Notifications/ }).click();
    await page.getByText('₹5,996 reached your bank account.').waitFor();
    await screenshot(page, 'worker-notifications');

    // Another browser of this worker turned notifications on: Settings lists it and can remove it.
    const keys = browserSubscriptionKeys();
    const subscribed = await h.api.app.inject({
      method: 'POST',
      url: '/v1/me/web-push/subscriptions',
      headers: bearer(session.accessToken),
      payload: {
        endpoint: 'https://fcm.googleapis.com/fcm/send/other-browser',
        keys: { p256dh: keys.p256dh, auth: keys.auth },
      },
    });
    expect(subscribed.statusCode).toBe(201);
    await tab(page, 'More').click();
    await page.getByRole('link', { name: 'Settings' }).click();
    const otherBrowser = page.getByRole('listitem').filter({ hasText: 'Web browser (notifications)' });
    await otherBrowser.waitFor();
    await otherBrowser.getByRole('button', { name: 'Remove' }).click();
    await otherBrowser.waitFor({ state: 'detached' });
    expect(await h.database.db('web_push_subscriptions').where({ worker_id: session.subjectId })).toEqual([]);
    // Push is off on this server (no VAPID key): the tap explains that instead of failing, and registers nothing.
    await waitForText(page.getByTestId('push-state'), 'Off');
    await context.grantPermissions(['notifications']);
    await page.getByRole('button', { name: 'Turn on notifications' }).click();
    await waitForText(
      page.getByTestId('push-state'),
      'Notifications are not available right now. You still see everything in the app.',
    );
    expect(await h.database.db('web_push_subscriptions').where({ worker_id: session.subjectId })).toEqual([]);
    await page.getByText('Your wallet still has').waitFor();
    await page
      .getByText(
        `We erase your name, phone, email and documents ${rules.accountDeletion.graceDays} days after approval.`,
        { exact: false },
      )
      .waitFor();
    await screenshot(page, 'worker-settings');

    // Disconnecting asks first, keeps the money already earned, and offers the platform again.
    await tab(page, 'Home').click();
    await page.getByRole('button', { name: 'Platforms', exact: true }).click();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('listitem', { name: 'Zomato' }).getByRole('button', { name: 'Disconnect' }).click();
    await page.getByRole('listitem', { name: 'Zomato' }).getByRole('button', { name: 'Connect' }).waitFor();
    await tab(page, 'More').click();
    await page.getByRole('link', { name: 'Settings' }).click();

    await page.getByRole('button', { name: 'हिन्दी' }).click();
    await tab(page, 'होम').click();
    await page.getByText('आप निकाल सकते हैं').waitFor();
    await screenshot(page, 'worker-home-hi');
    await tab(page, 'निकालें').click();
    await page.getByLabel('राशि ₹ में').fill('500');
    await page.getByText('अभी की सारी निकासियाँ इस्तेमाल हो गईं', { exact: false }).waitFor();
    await screenshot(page, 'worker-withdraw-hi');
    // An amount out of range is refused in Hindi with the configured limits, as figures, not only in English.
    const [min, max] = [rupeesText(rules.withdrawal.minPaise), rupeesText(rules.withdrawal.maxPaise)];
    await page.getByText(`हर निकासी ${min} से ${max} तक`).waitFor();
    await page.getByLabel('राशि ₹ में').fill('100');
    await page.getByRole('alert').getByText(`${min} से ${max} के बीच की राशि डालें।`).waitFor();
    await screenshot(page, 'worker-withdraw-range-hi');
    // With withdrawals again, an amount above the balance is refused for the balance, naming what can go out.
    const worker = { token: session.accessToken, workerId: session.subjectId };
    await fundWorker(h, worker, { earningsPaise: 2_500, plans: ['solo'] });
    await tab(page, 'होम').click();
    await tab(page, 'निकालें').click();
    const { spendablePaise } = (
      await h.api.app.inject({ method: 'GET', url: '/v1/me/balance', headers: bearer(worker.token) })
    ).json<{ spendablePaise: number }>();
    await page.getByLabel('राशि ₹ में').fill('25000');
    await page
      .getByRole('alert')
      .getByText(`इस राशि के लिए बैलेंस कम है। आप ${rupeesText(spendablePaise)} तक निकाल सकते हैं।`)
      .waitFor();
    await screenshot(page, 'worker-withdraw-balance-hi');
    // The loan condition the worker does not meet, in Hindi words with its figures (the server's sentence is
    // English): the score and the score a loan needs, and the conditions with the window and a good day's earnings.
    await tab(page, 'लोन').click();
    await waitForText(
      page.getByRole('note'),
      `क्या कमी है: आपका स्कोर ${eligibility.score} है; लोन के लिए ${eligibility.minScore} चाहिए। ` +
        'ज़्यादा दिन काम करके इसे बढ़ाएँ।',
    );
    await page
      .getByText(
        `पिछले ${eligibility.windowDays} दिन में ${rupeesText(eligibility.goodDayPaise)} या ज़्यादा कमाई वाले ` +
          `${c3.need} में से ${c3.have} दिन`,
      )
      .waitFor();
    await screenshot(page, 'worker-loans-hi');
    await tab(page, 'और').click();
    await page.getByRole('link', { name: 'सेटिंग्स' }).click();
    await page.getByRole('button', { name: 'English' }).click();
    await tab(page, 'Home').click();
  }, 60_000);

  it('an expired access token is renewed once for all the requests and the socket that need it', async () => {
    const stored = async () =>
      JSON.parse((await page.evaluate<string | null>("localStorage.getItem('gigbit.session')")) ?? '{}') as {
        accessToken: string;
        refreshToken: string;
      };
    const before = await stored();
    // As after a night away: the access token no longer works, the refresh token does.
    await page.evaluate(
      `localStorage.setItem('gigbit.session', JSON.stringify({ ...JSON.parse(localStorage.getItem('gigbit.session')), accessToken: 'expired' }))`,
    );
    const refreshes: string[] = [];
    const onRequest = (r: { url(): string }) => {
      if (r.url().endsWith('/v1/auth/refresh')) refreshes.push(r.url());
    };
    page.on('request', onRequest);
    await page.reload();
    await page.getByTestId('spendable').waitFor();
    await page.locator('.live-dot.live-live').waitFor();
    page.off('request', onRequest);
    // Refresh tokens work once and a second use signs the session out: several 401s share one refresh.
    expect(refreshes).toHaveLength(1);
    const after = await stored();
    expect(after.refreshToken).not.toBe(before.refreshToken);
    const balance = await h.api.app.inject({
      method: 'GET',
      url: '/v1/me/balance',
      headers: bearer(after.accessToken),
    });
    expect(balance.statusCode).toBe(200);
  }, 30_000);

  it('an offline start shows the cached shell and the last dashboard', async () => {
    await page.getByTestId('spendable').waitFor();
    await page.evaluate('navigator.serviceWorker.ready.then(() => true)');
    // Once the service worker controls the page, a load caches the dashboard data as it passes.
    await page.reload();
    await waitForValue<boolean>(page, 'navigator.serviceWorker.controller !== null', (v) => v);
    await page.getByTestId('spendable').waitFor();
    const online = await page.getByTestId('spendable').textContent();
    await waitForValue<number>(
      page,
      "caches.open('gigbit-data-v1').then((c) => c.keys()).then((k) => k.length)",
      (n) => n > 0,
    );

    await context.setOffline(true);
    await page.reload();
    await page.getByText(/You are offline\. Showing what we last saw at/).waitFor();
    await waitForText(page.getByTestId('spendable'), online!);
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await screenshot(page, 'worker-offline');
    await context.setOffline(false);
  }, 40_000);

  it('signing out empties the data cache even when no service worker controls the page', async () => {
    const dataCacheEntries = "caches.open('gigbit-data-v1').then((c) => c.keys()).then((k) => k.length)";
    await page.reload();
    const firstWorkerSpendable = await waitForText(page.getByTestId('spendable'), /^₹/);
    expect(firstWorkerSpendable).not.toBe('₹0');
    expect(await page.evaluate<number>(dataCacheEntries)).toBeGreaterThan(0);
    // A hard reload bypasses the service worker: the page has no controller to ask to clear anything.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Page.reload', { ignoreCache: true });
    await page.getByTestId('spendable').waitFor();
    expect(await page.evaluate<boolean>('navigator.serviceWorker.controller === null')).toBe(true);

    await tab(page, 'More').click();
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Mobile number').waitFor();
    await waitForValue<number>(page, dataCacheEntries, (n) => n === 0);

    // The next person on this phone signs in, then opens the app offline: only their own numbers show.
    await signInThroughApp(page, h);
    await waitForText(page.getByTestId('spendable'), '₹0');
    await context.setOffline(true);
    await page.reload();
    await page.getByText(/You are offline\. Showing what we last saw at/).waitFor();
    await waitForText(page.getByTestId('spendable'), '₹0');
    await screenshot(page, 'worker-offline-next-person');
    await context.setOffline(false);
  }, 40_000);
});
