import { randomUUID } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, phoneContext, screenshot } from '../helpers/browser';
import { bearer, createHarness, fundWorker, signInAdmin, type Harness } from '../helpers/harness';
import { decideRequest, eventually, seedEarningHistory } from '../helpers/loans';
import {
  fileSizeText,
  percentText,
  rulesOf,
  rupeesText,
  signInThroughApp,
  storedResumeSeq,
  tapLiveSocket,
  waitForText,
  type RulesFigures,
} from './worker-app.helpers';

/** A real PNG (the document service checks the bytes): a small orange square, like a photo of a dented mudguard. */
function pngPhoto(size = 24): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 255]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([length, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8;
  header[9] = 2;
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(size * 3, Buffer.from([240, 120, 40]))]);
  const pixels = Buffer.concat(Array.from({ length: size }, () => row));
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(pixels)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A small real PDF (the document service checks that it starts like one): a scanned repair bill. */
const pdfBill = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

/**
 * The next POST to `path` reaches the server, but its answer is lost on the way back (a tunnel, a dropped
 * connection): the app sees a network error although the server acted.
 */
async function loseNextAnswer(page: Page, path: string): Promise<void> {
  let lost = false;
  await page.route(`**${path}`, async (route) => {
    if (lost || route.request().method() !== 'POST') return route.fallback();
    lost = true;
    await route.fetch();
    await route.abort('connectionreset');
  });
}

const tab = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });

/** Loans and insurance in the worker app at phone size, on the real stack, admins deciding through the API. */
describe('worker app: loan with a document, insurance claim with a photo', () => {
  let h: Harness;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let worker: { token: string; workerId: string };
  let tap: Awaited<ReturnType<typeof tapLiveSocket>>;
  /** The configured figures (GET /v1/rules) the screens must state. */
  let rules: RulesFigures;

  beforeAll(async () => {
    [h, browser] = await Promise.all([createHarness({ listen: true, worker: true }), launchBrowser()]);
    context = await phoneContext(browser, h.api.url);
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    // Before the first page load: the tap takes over the page's WebSocket constructor as a document starts.
    tap = await tapLiveSocket(page);
    worker = await signInThroughApp(page, h);
    rules = await rulesOf(h);
    // 100 days a member, ₹900 on each of 80 days: every loan condition met, ₹72,000 in the wallet.
    await seedEarningHistory(h, worker, { registeredDaysAgo: 100, days: 80, perDayPaise: 90_000 });
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await h?.close();
  });

  /** The phone goes offline, then an admin approves the withdrawal and the rail pays it: events the app missed. */
  async function approvedAndPaidWhileOffline(withdrawalId: string): Promise<void> {
    await page.evaluate("window.dispatchEvent(new Event('offline'))");
    await page.locator('.live-dot.live-offline').waitFor();
    const admin = await signInAdmin(h.api.app);
    const decision = await h.api.app.inject({
      method: 'POST',
      url: `/v1/admin/withdrawals/${withdrawalId}/decision`,
      headers: bearer(admin.token),
      payload: { decision: 'approve' },
    });
    expect(decision.statusCode).toBe(200);
    await eventually(
      async () =>
        (
          await h.api.app.inject({
            method: 'GET',
            url: `/v1/withdrawals/${withdrawalId}`,
            headers: bearer(worker.token),
          })
        ).json<{ status: string }>().status,
      (status) => status === 'paid',
      30_000,
    );
  }

  it('applies for a loan with a proof document; the approval shows live; the schedule and prepayment work', async () => {
    await tab(page, 'Loans').click();
    await page.getByText('You can apply').waitFor();
    await page.getByText('You can borrow up to ₹36,000 at 7% a year').waitFor();
    await page.getByText(`From ${rupeesText(rules.loan.minAmountPaise)} to ₹36,000`).waitFor();
    // An application below the smallest loan is refused with the range in figures, so the app can word it in Hindi.
    const tooSmall = await h.api.app.inject({
      method: 'POST',
      url: '/v1/loans',
      headers: { ...bearer(worker.token), 'idempotency-key': `loan-too-small-${randomUUID()}` },
      payload: { amountPaise: 100_000, documentId: randomUUID() },
    });
    expect(tooSmall.statusCode).toBe(422);
    expect(tooSmall.json()).toMatchObject({
      error: { code: 'AMOUNT_OUT_OF_RANGE', details: { minPaise: 500_000, maxPaise: 3_600_000 } },
    });
    // The quote's refusal names the range in figures.
    await page.getByLabel('Loan amount in ₹').fill('2000');
    await page
      .getByRole('alert')
      .getByText(`You can borrow between ${rupeesText(rules.loan.minAmountPaise)} and ₹36,000.`)
      .waitFor();
    await page.getByLabel('Loan amount in ₹').fill('10000');
    const quote = (
      await h.api.app.inject({
        method: 'GET',
        url: '/v1/loans/quote?amountPaise=1000000',
        headers: bearer(worker.token),
      })
    ).json<{ emiPaise: number }>();
    const emi = `₹${Math.floor(quote.emiPaise / 100).toLocaleString('en-IN')}.${String(quote.emiPaise % 100).padStart(2, '0')}`;
    await page.getByText(`${emi} a month for 6 months`).waitFor();
    const proof = page.getByRole('group', {
      name: `Proof document (photo or PDF, up to ${fileSizeText(rules.documents.maxBytes)})`,
    });
    expect(await proof.getByLabel('Take a photo').getAttribute('capture')).toBe('environment');
    await proof.getByLabel('Choose a photo or PDF').setInputFiles({
      name: 'payslip.png',
      mimeType: 'image/png',
      buffer: pngPhoto(),
    });
    await page.getByRole('img', { name: 'payslip.png' }).waitFor();
    await screenshot(page, 'worker-loan-apply');

    // The network fails the answer and the live socket alike: the worker sees an error and taps again. The retry
    // carries the same key and the same document, so the server answers with the application it already made.
    await page.evaluate("window.dispatchEvent(new Event('offline'))");
    await loseNextAnswer(page, '/v1/loans');
    await page.getByRole('button', { name: 'Apply for ₹10,000' }).click();
    await page.getByRole('alert').getByText('No internet connection. Try again when you are online.').waitFor();
    await page.getByRole('button', { name: 'Apply for ₹10,000' }).click();
    await page.getByText('Application sent. We will tell you as soon as it is decided.').waitFor();
    await page.unroute('**/v1/loans');
    await page.evaluate("window.dispatchEvent(new Event('online'))");
    await waitForText(page.getByTestId('loan-status'), 'Waiting for approval');

    const loans = await h.api.app.inject({ method: 'GET', url: '/v1/loans', headers: bearer(worker.token) });
    expect(loans.json<{ items: unknown[] }>().items).toHaveLength(1);
    const loanId = loans.json<{ items: Array<{ id: string }> }>().items[0]!.id;
    const stored: Array<{ content_type: string }> = await h.database
      .db('documents')
      .where({ worker_id: worker.workerId, purpose: 'loan_proof' })
      .select('content_type');
    expect(stored).toEqual([{ content_type: 'image/png' }]);

    const admin = await signInAdmin(h.api.app);
    expect((await decideRequest(h.api.app, admin.token, loanId, { decision: 'approve' })).statusCode).toBe(200);
    await waitForText(page.getByTestId('loan-status'), 'Active', 30_000);
    await page.getByText('Repayment schedule').click();
    await page.getByRole('table').getByText('Due').first().waitFor();
    await screenshot(page, 'worker-loan-active');

    await page.getByRole('button', { name: 'Repay everything now (₹10,000)' }).click();
    await waitForText(page.getByTestId('loan-status'), 'Repaid', 30_000);
    await screenshot(page, 'worker-loan-repaid');
  }, 80_000);

  it('opts in to insurance and files a claim with a photo from the camera; the payout shows live', async () => {
    await tab(page, 'Insurance').click();
    await page.getByRole('button', { name: 'Get covered for ₹50 a month' }).click();
    await waitForText(page.getByTestId('cover-status'), /Covered/);
    await page.getByText('2 of 2 left this year').waitFor();

    // Proof from the camera (images only, the back camera) or from files (a PDF, or a photo taken earlier).
    const { claimMinDocuments, claimMaxDocuments } = rules.insurance;
    const proofs = page.getByRole('group', {
      name:
        `Photos or documents (${claimMinDocuments} to ${claimMaxDocuments}, ` +
        `up to ${fileSizeText(rules.documents.maxBytes)} each)`,
    });
    const camera = proofs.getByLabel('Take a photo');
    const files = proofs.getByLabel('Choose photos or PDFs');
    expect(await camera.getAttribute('capture')).toBe('environment');
    expect(await camera.getAttribute('accept')).toBe('image/*');
    expect(await files.getAttribute('capture')).toBeNull();
    expect(await files.getAttribute('accept')).toBe('image/jpeg,image/png,application/pdf');
    await page.getByRole('radio', { name: /^Vehicle damage \(₹8,000\)/ }).check();
    await page.getByLabel('Tell us what happened').fill('A car hit my scooter at a signal; the mudguard is broken.');
    await camera.setInputFiles({ name: 'scooter.png', mimeType: 'image/png', buffer: pngPhoto(32) });
    await files.setInputFiles({ name: 'repair-bill.pdf', mimeType: 'application/pdf', buffer: pdfBill });
    await page.getByRole('img', { name: 'scooter.png' }).waitFor();
    await proofs.getByText('repair-bill.pdf').waitFor();
    await screenshot(page, 'worker-claim');
    // The first answer is lost; the retry sends the same two documents under the same key and gets that claim.
    await page.evaluate("window.dispatchEvent(new Event('offline'))");
    await loseNextAnswer(page, '/v1/insurance/claims');
    await page.getByRole('button', { name: 'Send claim' }).click();
    await page.getByRole('alert').getByText('No internet connection. Try again when you are online.').waitFor();
    await page.getByRole('button', { name: 'Send claim' }).click();
    await page.getByText('Claim sent. We will tell you as soon as it is decided.').waitFor();
    await page.unroute('**/v1/insurance/claims');
    await page.evaluate("window.dispatchEvent(new Event('online'))");
    const proofTypes: Array<{ content_type: string }> = await h.database
      .db('documents')
      .where({ worker_id: worker.workerId, purpose: 'claim_proof' })
      .orderBy('content_type')
      .select('content_type');
    expect(proofTypes).toEqual([{ content_type: 'application/pdf' }, { content_type: 'image/png' }]);
    await waitForText(page.getByTestId('claim-status'), 'Being checked');
    await page.getByText('1 of 2 left this year').waitFor();

    const claims = await h.api.app.inject({
      method: 'GET',
      url: '/v1/insurance/claims',
      headers: bearer(worker.token),
    });
    expect(claims.json<{ items: unknown[] }>().items).toHaveLength(1);
    const claimId = claims.json<{ items: Array<{ id: string }> }>().items[0]!.id;
    const admin = await signInAdmin(h.api.app);
    expect((await decideRequest(h.api.app, admin.token, claimId, { decision: 'approve' })).statusCode).toBe(200);
    await waitForText(page.getByTestId('claim-status'), 'Paid', 30_000);
    await page.getByText(/Premiums ₹50/).waitFor();
    await screenshot(page, 'worker-insurance-claim-paid');

    // The yearly cap, explained: the second vehicle claim is the last one; a third is refused in plain words.
    const fileVehicleClaim = async () => {
      await page.getByRole('radio', { name: /^Vehicle damage \(₹8,000\)/ }).check();
      await page.getByLabel('Tell us what happened').fill('Scooter hit again, front light broken.');
      await camera.setInputFiles({ name: 'light.png', mimeType: 'image/png', buffer: pngPhoto(16) });
      await page.getByRole('img', { name: 'light.png' }).waitFor();
      await page.getByRole('button', { name: 'Send claim' }).click();
    };
    await fileVehicleClaim();
    await page.getByText('0 of 2 left this year').waitFor();
    await fileVehicleClaim();
    await page.getByRole('alert').getByText('You have used all claims of this kind for this year.').waitFor();
    await screenshot(page, 'worker-claim-cap');

    // In Hindi: a claim reported too late is refused with the configured window in days; then the cap.
    await tab(page, 'More').click();
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'हिन्दी' }).click();
    await tab(page, 'बीमा').click();
    await page.getByRole('radio', { name: /^गाड़ी का नुकसान \(₹8,000\)/ }).check();
    await page.getByLabel('बताइए क्या हुआ').fill('फिर से गाड़ी टकराई।');
    await page.getByLabel('फ़ोटो खींचें').setInputFiles({ name: 'again.png', mimeType: 'image/png', buffer: pngPhoto(16) });
    await page.getByRole('img', { name: 'again.png' }).waitFor();
    const reportingDays = rules.insurance.claimReportingWindowDays;
    const istDate = (daysAgo: number) =>
      new Date(Date.now() + 5.5 * 3_600_000 - daysAgo * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('किस दिन हुआ').fill(istDate(reportingDays + 5));
    await page.getByRole('button', { name: 'क्लेम भेजें' }).click();
    await page
      .getByRole('alert')
      .getByText(`यह बहुत पहले हुआ था: क्लेम घटना के ${reportingDays} दिन के अंदर भेजना होता है।`)
      .waitFor();
    await screenshot(page, 'worker-claim-too-late-hi');
    await page.getByLabel('किस दिन हुआ').fill(istDate(0));
    await page.getByRole('button', { name: 'क्लेम भेजें' }).click();
    await page.getByRole('alert').getByText('इस साल इस तरह के सारे क्लेम इस्तेमाल हो गए।').waitFor();
    await screenshot(page, 'worker-claim-cap-hi');
    // A loan amount below the smallest loan, refused in Hindi with the range in figures.
    await tab(page, 'लोन').click();
    await page.getByLabel('लोन राशि ₹ में').fill('2000');
    await page
      .getByRole('alert')
      .getByText(`आप ${rupeesText(rules.loan.minAmountPaise)} से ₹36,000 के बीच लोन ले सकते हैं।`)
      .waitFor();
    await screenshot(page, 'worker-loan-range-hi');
    await tab(page, 'और').click();
    await page.getByRole('link', { name: 'सेटिंग्स' }).click();
    await page.getByRole('button', { name: 'English' }).click();

    await tab(page, 'More').click();
    await page.getByRole('link', { name: 'Money history' }).click();
    await page.getByText('Claim paid').waitFor();
    await page.getByText('Loan received').waitFor();
    await page.getByText('Insurance premium').waitFor();
  }, 80_000);

  it('cancels a withdrawal while it waits; a decision made while the phone was offline arrives by resync', async () => {
    await tab(page, 'Withdraw').click();
    await page.getByLabel('Amount in ₹').fill('6000');
    // Insured now: the configured share of the amount goes to the pool, shown before confirming.
    await page.getByText(`Insurance share (${percentText(rules.withdrawal.insuranceShareBps)})`).waitFor();
    await waitForText(page.getByTestId('net'), '₹5,936');
    await screenshot(page, 'worker-withdraw-insured');
    await page.getByRole('button', { name: 'Withdraw ₹6,000' }).click();
    await waitForText(page.getByTestId('withdrawal-status'), 'Waiting for approval');
    await page.getByRole('button', { name: 'Cancel withdrawal' }).click();
    await waitForText(page.getByTestId('withdrawal-status'), 'Cancelled');
    await page.getByText('The money is back in your wallet.').waitFor();
    await screenshot(page, 'worker-withdraw-cancelled');

    await page.getByRole('button', { name: 'New withdrawal' }).click();
    await page.getByLabel('Amount in ₹').fill('6000');
    await page.getByRole('button', { name: 'Withdraw ₹6,000' }).click();
    await waitForText(page.getByTestId('withdrawal-status'), 'Waiting for approval');
    const withdrawalId = await page.evaluate<string | null>("localStorage.getItem('gigbit.lastWithdrawal')");
    const seqBefore = Number(
      await page.evaluate<string | null>(`localStorage.getItem('gigbit.lastSeq.${worker.workerId}')`),
    );

    // The phone loses its network: the app drops the socket. Everything happens meanwhile.
    await approvedAndPaidWhileOffline(withdrawalId!);
    expect(await page.getByTestId('withdrawal-status').textContent()).toBe('Waiting for approval');

    // Back online: the reconnect asks for everything after the last seq and the screen catches up.
    await page.evaluate("window.dispatchEvent(new Event('online'))");
    await waitForText(page.getByTestId('withdrawal-status'), 'Paid to your bank', 20_000);
    const seqAfter = Number(
      await page.evaluate<string | null>(`localStorage.getItem('gigbit.lastSeq.${worker.workerId}')`),
    );
    expect(seqAfter).toBeGreaterThan(seqBefore);

    // Opting out keeps the cover to the end of the month, and says until when.
    await tab(page, 'Insurance').click();
    await page.getByRole('button', { name: 'Stop cover at the end of the month' }).click();
    await page.getByText(/^Your cover ends on /).waitFor();
    await waitForText(page.getByTestId('cover-status'), /Covered/);
  }, 60_000);

  it('a resync the server fails is asked again, and live events meanwhile do not move the resume point', async () => {
    const bell = page.getByRole('button', { name: /^Notifications/ });
    // Two more withdrawals today.
    await fundWorker(h, worker, { earningsPaise: 2_500, plans: ['solo'] });
    await tab(page, 'Withdraw').click();
    await page.getByRole('button', { name: 'New withdrawal' }).click();
    await page.getByLabel('Amount in ₹').fill('6000');
    await page.getByRole('button', { name: 'Withdraw ₹6,000' }).click();
    await waitForText(page.getByTestId('withdrawal-status'), 'Waiting for approval');
    const withdrawalId = await page.evaluate<string | null>("localStorage.getItem('gigbit.lastWithdrawal')");
    const seqBefore = await storedResumeSeq(page, worker.workerId);

    // Offline, the withdrawal is approved and paid: the events the phone will have to ask for.
    await approvedAndPaidWhileOffline(withdrawalId!);

    // Back online, the resync goes unanswered for now; meanwhile a live event arrives, numbered after the gap.
    const heldResync = tap.holdNextRequest();
    const asked = tap.resyncRequests.length;
    await page.evaluate("window.dispatchEvent(new Event('online'))");
    const resync = await heldResync;
    expect(resync.afterSeq).toBe(seqBefore);
    const bellBefore = await bell.getAttribute('aria-label');
    const shownBefore = tap.eventsToPage.length;
    const optIn = await h.api.app.inject({
      method: 'POST',
      url: '/v1/insurance/opt-in',
      headers: bearer(worker.token),
    });
    expect(optIn.statusCode).toBe(200);
    // The bell recounts on every event it is shown: once it has, the app has handled the live event.
    await eventually(
      () => bell.getAttribute('aria-label'),
      (label) => label !== bellBefore,
    );
    const live = tap.eventsToPage.slice(shownBefore).find((e) => e.type === 'insurance.coverage_changed');
    expect(live!.seq).toBeGreaterThan(seqBefore);
    expect(await storedResumeSeq(page, worker.workerId)).toBe(seqBefore);
    expect(await page.getByTestId('withdrawal-status').textContent()).toBe('Waiting for approval');

    // The server fails that resync (PostgreSQL unreachable, say): the app asks again by itself and catches up.
    resync.answer({ error: 'resync is unavailable right now; try again' });
    await waitForText(page.getByTestId('withdrawal-status'), 'Paid to your bank', 20_000);
    await page.locator('.live-dot.live-live').waitFor();
    expect(tap.resyncRequests.slice(asked, asked + 2)).toEqual([seqBefore, seqBefore]);
    expect(await storedResumeSeq(page, worker.workerId)).toBeGreaterThanOrEqual(live!.seq);
  }, 60_000);

  it('a backlog longer than a resync page is read page by page, each from the last event of the one before', async () => {
    const bell = page.getByRole('button', { name: /^Notifications/ });
    await tab(page, 'Home').click();
    await page.getByTestId('spendable').waitFor();
    await page.evaluate("window.dispatchEvent(new Event('offline'))");
    await page.locator('.live-dot.live-offline').waitFor();

    // While offline: more events than one resync page holds (500), then a withdrawal paid at the end of them.
    const backlog = Array.from({ length: 510 }, () => ({
      type: 'insurance.coverage_changed',
      worker_id: worker.workerId,
      to_admins: false,
      payload: { status: 'active', optOutEffectiveOn: null, occurredAt: new Date().toISOString() },
    }));
    await h.database.db('outbox_events').insert(backlog);
    const withdrawal = await h.api.app.inject({
      method: 'POST',
      url: '/v1/withdrawals',
      headers: { ...bearer(worker.token), 'idempotency-key': `backlog-${randomUUID()}` },
      payload: { amountPaise: 50_000 },
    });
    expect(withdrawal.statusCode).toBe(201);
    await eventually(
      async () =>
        (
          await h.api.app.inject({
            method: 'GET',
            url: `/v1/withdrawals/${withdrawal.json<{ id: string }>().id}`,
            headers: bearer(worker.token),
          })
        ).json<{ status: string }>().status,
      (status) => status === 'paid',
      30_000,
    );
    const balance = (
      await h.api.app.inject({ method: 'GET', url: '/v1/me/balance', headers: bearer(worker.token) })
    ).json<{ spendablePaise: number }>();
    const spendableNow = `₹${Math.floor(balance.spendablePaise / 100).toLocaleString('en-IN')}`;
    expect(await page.getByTestId('spendable').textContent()).not.toMatch(new RegExp(`^${spendableNow}(\\.|$)`));

    // Back online: the first page arrives only after a live event numbered after the whole backlog.
    const heldPage = tap.holdNextAnswer();
    const asked = tap.resyncRequests.length;
    await page.evaluate("window.dispatchEvent(new Event('online'))");
    const firstPage = await heldPage;
    expect(firstPage.events).toHaveLength(500);
    expect(firstPage.more).toBe(true);
    const bellBefore = await bell.getAttribute('aria-label');
    const optOut = await h.api.app.inject({
      method: 'POST',
      url: '/v1/insurance/opt-out',
      headers: bearer(worker.token),
    });
    expect(optOut.statusCode).toBe(200);
    await eventually(
      () => bell.getAttribute('aria-label'),
      (label) => label !== bellBefore,
    );
    firstPage.release();

    // The second page starts after the first page's last event, so the withdrawal at the end reaches Home.
    await waitForText(page.getByTestId('spendable'), new RegExp(`^${spendableNow}(\\.|$)`), 20_000);
    await page.locator('.live-dot.live-live').waitFor();
    expect(tap.resyncRequests[asked + 1]).toBe(firstPage.events.at(-1)!.seq);
  }, 60_000);

  it('why a request ended is said in words: a payout the bank refused, an admin rejection as written; Hindi', async () => {
    await fundWorker(h, worker, { earningsPaise: 2_500, plans: ['solo'] });
    h.rail.setBehaviour({ outcome: 'fail' });
    try {
      await tab(page, 'Withdraw').click();
      await page.getByRole('button', { name: 'New withdrawal' }).click();
      await page.getByLabel('Amount in ₹').fill('1000');
      await page.getByRole('button', { name: 'Withdraw ₹1,000' }).click();
      await waitForText(page.getByTestId('withdrawal-status'), 'Could not be paid', 30_000);
    } finally {
      h.rail.setBehaviour({ outcome: 'succeed' });
    }
    // The server keeps the rail's English words (and "approved automatically" as the decision): the app words it.
    await page.getByText('Reason: The bank transfer did not go through.').waitFor();
    await page.getByText('The money is back in your wallet.').waitFor();
    await screenshot(page, 'worker-withdraw-failed');

    const claims = await h.api.app.inject({
      method: 'GET',
      url: '/v1/insurance/claims',
      headers: bearer(worker.token),
    });
    const pending = claims
      .json<{ items: Array<{ id: string; status: string }> }>()
      .items.find((c) => c.status === 'pending_approval');
    const admin = await signInAdmin(h.api.app);
    const rejection = await decideRequest(h.api.app, admin.token, pending!.id, {
      decision: 'reject',
      reason: 'The photo does not show the damage',
    });
    expect(rejection.statusCode).toBe(200);

    await tab(page, 'More').click();
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'हिन्दी' }).click();
    await tab(page, 'निकालें').click();
    await waitForText(page.getByTestId('withdrawal-status'), 'भुगतान नहीं हो सका');
    await page.getByText('कारण: बैंक ट्रांसफ़र नहीं हो पाया।').waitFor();
    await tab(page, 'बीमा').click();
    // An admin's reason is their own words, shown as written.
    await page.getByText('कारण: The photo does not show the damage').waitFor();
    await screenshot(page, 'worker-claim-rejected-hi');
    await tab(page, 'और').click();
    await page.getByRole('link', { name: 'सेटिंग्स' }).click();
    await page.getByRole('button', { name: 'English' }).click();
  }, 60_000);
});
