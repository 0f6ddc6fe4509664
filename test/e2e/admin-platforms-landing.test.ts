import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { authenticator } from 'otplib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  bearer,
  createAdminAccount,
  createHarness,
  postWithdrawal,
  signInWorker,
  type AdminAccount,
  type Harness,
} from '../helpers/harness';
import { desktopContext, launchBrowser, screenshot, screenshotOnFailure } from '../helpers/browser';
import { privateFrontsDir } from './admin-fronts.helpers';
import { eventually, PDF_BYTES, seedEarningHistory, uploadDocument } from '../helpers/loans';

/** A real 16×16 PNG in Swiggy orange, encoded here so the logo upload sends genuine image bytes. */
function orangePng(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(16, 0);
  header.writeUInt32BE(16, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const row = Buffer.concat([
    Buffer.from([0]),
    Buffer.from(Array.from({ length: 16 }, () => [0xfc, 0x80, 0x19]).flat()),
  ]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(Array.from({ length: 16 }, () => row)))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Platforms and the landing page's live count; then every main page of the portal, screenshotted. */
describe('platforms, landing page and every portal page in a browser', () => {
  let h: Harness;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  /** The pages the running test opened: saved as screenshots when it fails. */
  let pages: Page[] = [];
  let frontsDir = '';
  let superadmin: AdminAccount;

  beforeAll(async () => {
    frontsDir = await privateFrontsDir();
    [h, browser] = await Promise.all([
      createHarness({ worker: true, listen: true, env: { FRONTS_DIR: frontsDir } }),
      launchBrowser(),
    ]);
    superadmin = await createAdminAccount(h.api.app, 'superadmin');
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

  async function newPage(): Promise<Page> {
    const context = await desktopContext(browser, h.api.url);
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    pages.push(page);
    return page;
  }

  async function signIn(page: Page, account: AdminAccount) {
    await page.goto('/admin/');
    await page.getByLabel('Username').fill(account.username);
    await page.getByLabel('Password').fill(account.password);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Authenticator code').fill(authenticator.generate(account.totpSecret));
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  }

  const count = (page: Page) => page.getByTestId('active-platforms');

  it(
    'creates a platform with a logo and disables it; the landing page’s live count follows',
    screenshotOnFailure(
      () => pages,
      async () => {
        const landing = await newPage();
        await landing.goto('/');
        await landing.getByRole('heading', { name: 'Your gig earnings, when you need them.' }).waitFor();
        await eventually(
          () => count(landing).textContent(),
          (text) => text === '4',
        );
        expect(await landing.getByRole('link', { name: 'Open the GigBit app' }).first().getAttribute('href')).toBe(
          '/app/',
        );
        await landing.getByRole('heading', { name: 'Trio' }).waitFor();
        await screenshot(landing, 'landing');

        const admin = await newPage();
        await signIn(admin, superadmin);
        await admin.getByRole('link', { name: 'Platforms' }).click();
        const form = admin.locator('form.platform-form').last();
        await form.getByLabel('Slug').fill('swiggy');
        await form.getByLabel('Name').fill('Swiggy');
        await form.getByLabel('Brand colour (#RRGGBB)').fill('#fc8019');
        await form.getByLabel('Sort order').fill('50');
        await form.getByLabel('Logo (PNG, JPEG or WebP)').setInputFiles({
          name: 'swiggy.png',
          mimeType: 'image/png',
          buffer: orangePng(),
        });
        await admin.getByRole('button', { name: 'Create platform' }).click();
        const logo = admin.getByRole('img', { name: 'Swiggy logo' });
        await logo.waitFor();
        // The image really loaded from the API (not a broken link).
        await eventually(
          () =>
            logo.evaluate((img: { complete: boolean; naturalWidth: number }) => (img.complete ? img.naturalWidth : 0)),
          (width) => width === 16,
        );
        await admin.getByRole('status').filter({ hasText: 'Saved Swiggy' }).waitFor();

        // The landing page polls every 10 s: the new platform appears without any action there.
        await eventually(
          () => count(landing).textContent(),
          (text) => text === '5',
          15_000,
        );
        await landing.getByText('Swiggy').waitFor();

        await admin.getByRole('button', { name: 'Disable Swiggy' }).click();
        await admin.getByRole('button', { name: 'Enable Swiggy' }).waitFor();
        await screenshot(admin, 'admin-platforms');
        // A visitor returning to the tab gets a fresh count at once.
        await landing.evaluate('window.dispatchEvent(new Event("focus"))');
        await eventually(
          () => count(landing).textContent(),
          (text) => text === '4',
          5_000,
        );
        expect(await landing.getByText('Swiggy').count()).toBe(0);
      },
    ),
    60_000,
  );

  it(
    'retries only the logo when its upload fails after the platform was created; edits; reorders',
    screenshotOnFailure(
      () => pages,
      async () => {
        const admin = await newPage();
        await signIn(admin, await createAdminAccount(h.api.app, 'senior_approver'));
        await admin.getByRole('link', { name: 'Platforms' }).click();
        const form = admin.locator('form.platform-form').last();
        await form.getByLabel('Slug').fill('magicpin');
        await form.getByLabel('Name').fill('Magicpin');
        await form.getByLabel('Brand colour (#RRGGBB)').fill('#e8336b');
        await form.getByLabel('Sort order').fill('60');
        // Named .png but not an image: the API checks the bytes and refuses it, after the platform was created.
        const logo = form.getByLabel('Logo (PNG, JPEG or WebP)');
        await logo.setInputFiles({ name: 'magicpin.png', mimeType: 'image/png', buffer: Buffer.from('not an image') });
        await form.getByRole('button', { name: 'Create platform' }).click();
        await form
          .getByRole('alert')
          .filter({ hasText: 'Magicpin was created, but its logo was not uploaded: A logo must be a PNG' })
          .waitFor();
        await admin.getByRole('cell', { name: 'Magicpin', exact: true }).waitFor();
        // The form now only uploads the logo: what was saved cannot be sent again as a second create.
        expect(await form.getByLabel('Slug').isDisabled()).toBe(true);
        await logo.setInputFiles({ name: 'magicpin.png', mimeType: 'image/png', buffer: orangePng() });
        await form.getByRole('button', { name: 'Upload the logo' }).click();
        await admin.getByRole('status').filter({ hasText: 'Saved Magicpin' }).waitFor();
        await admin.getByRole('img', { name: 'Magicpin logo' }).waitFor();
        const stored = await h.database.db('platforms').where({ slug: 'magicpin' }).select('logo_file');
        expect(stored).toHaveLength(1);
        expect(stored[0]).toMatchObject({ logo_file: expect.stringMatching(/\.png$/) });
        // Cleared for the next platform.
        await admin.getByRole('button', { name: 'Create platform' }).waitFor();
        expect(await admin.locator('form.platform-form').last().getByLabel('Slug').inputValue()).toBe('');

        // Edit in place: name and brand colour.
        await admin.getByRole('button', { name: 'Edit Magicpin' }).click();
        const edit = admin.locator('table form.platform-form');
        await edit.getByLabel('Name').fill('Magicpin Foods');
        await edit.getByLabel('Brand colour (#RRGGBB)').fill('#123456');
        await edit.getByRole('button', { name: 'Save' }).click();
        await admin.getByRole('status').filter({ hasText: 'Saved Magicpin Foods' }).waitFor();
        await admin.getByRole('cell', { name: 'Magicpin Foods', exact: true }).waitFor();
        expect(await h.database.db('platforms').where({ slug: 'magicpin' }).first('name', 'brand_colour')).toEqual({
          name: 'Magicpin Foods',
          brand_colour: '#123456',
        });

        // Reorder: Magicpin Foods moves up one place, and the catalog is renumbered 10, 20, 30…
        const names = () => admin.locator('table.platforms tbody tr td:nth-child(2) strong').allTextContents();
        const before = await names();
        const at = before.indexOf('Magicpin Foods');
        expect(at).toBeGreaterThan(0);
        await admin.getByRole('button', { name: 'Move up Magicpin Foods' }).click();
        const expected = [...before];
        expected.splice(at - 1, 2, before[at]!, before[at - 1]!);
        await eventually(names, (now) => JSON.stringify(now) === JSON.stringify(expected));
        const orders = await h.database.db('platforms').orderBy('sort_order').select('name', 'sort_order');
        expect(orders.map((p: { name: string }) => p.name)).toEqual(expected);
        expect(orders.map((p: { sort_order: number }) => p.sort_order)).toEqual(expected.map((_, i) => (i + 1) * 10));
        await screenshot(admin, 'admin-platforms-reordered');
      },
    ),
    60_000,
  );

  it('ships the production build without source maps', () => {
    const dist = path.join(frontsDir, 'admin-web', 'dist');
    const assets = readdirSync(path.join(dist, 'assets'));
    expect(assets.filter((file) => file.endsWith('.map'))).toEqual([]);
    for (const file of assets.filter((f) => f.endsWith('.js') || f.endsWith('.css'))) {
      expect(readFileSync(path.join(dist, 'assets', file), 'utf8')).not.toContain('sourceMappingURL');
    }
  });

  it(
    'renders every main page with real data, user text as text, in English and in Hindi',
    screenshotOnFailure(
      () => pages,
      async () => {
        // A rider with history, a pending loan, a pending withdrawal and an insurance claim whose description is markup.
        const rider = await signInWorker(h.api.app);
        await h.database.db('workers').where({ id: rider.workerId }).update({ display_name: 'Asha <b>Devi</b>' });
        await seedEarningHistory(h, rider, { registeredDaysAgo: 100, days: 80, perDayPaise: 90_000 });
        const post = (url: string, payload: Record<string, unknown>) =>
          h.api.app.inject({
            method: 'POST',
            url,
            headers: { ...bearer(rider.token), 'idempotency-key': randomUUID() },
            payload,
          });
        expect((await post('/v1/insurance/opt-in', {})).statusCode).toBe(200);
        const today = new Date(Date.now() + 5.5 * 3_600_000).toISOString().slice(0, 10);
        const markup = '<img src=x onerror="window.injected=1">Phone dropped in rain';
        const claim = await post('/v1/insurance/claims', {
          type: 'product_damage_loss',
          incidentOn: today,
          description: markup,
          documentIds: [await uploadDocument(h.api.app, rider.token, 'claim_proof', PDF_BYTES)],
        });
        expect(claim.statusCode).toBe(201);
        expect(
          (
            await post('/v1/loans', {
              amountPaise: 1_500_000,
              documentId: await uploadDocument(h.api.app, rider.token),
            })
          ).statusCode,
        ).toBe(201);
        expect((await postWithdrawal(h.api.app, rider.token, randomUUID(), { amountPaise: 650_000 })).statusCode).toBe(
          201,
        );
        // One reconciliation pass, as the schedule runs it, so the reports page has a real report.
        await h.api.temporal.workflow.execute('ledgerReconciliationWorkflow', {
          workflowId: `reconcile-${randomUUID()}`,
          taskQueue: h.config.TEMPORAL_TASK_QUEUE,
        });

        const page = await newPage();
        // A second superadmin: a TOTP code is accepted once, and the first one's current code was just used.
        const other = await createAdminAccount(h.api.app, 'superadmin');
        await signIn(page, other);
        await page.getByRole('img', { name: /Withdrawals per day/ }).waitFor();
        // Every dashboard figure is a chart (a titled image) with its figures in a table for screen readers:
        // the pool's own hidden table, or the visible table beside the loan book and sync charts.
        for (const chart of [
          'Insurance pool (last 30 days)',
          'Outstanding principal by days overdue',
          'Connected accounts by sync state',
        ]) {
          await page.getByRole('img', { name: chart }).waitFor();
          await page.getByRole('table', { name: chart }).waitFor({ state: 'attached' });
        }
        // Before any loan is active the loan book chart says so instead of showing an empty frame.
        await page.getByText('No active loans').waitFor();
        await screenshot(page, 'admin-overview');

        await page.getByRole('link', { name: 'Approvals inbox' }).click();
        await page.getByRole('link', { name: /^Open Insurance claim Asha <b>Devi<\/b>/ }).waitFor();
        await screenshot(page, 'admin-inbox-all-types');
        await page.getByRole('link', { name: /^Open Insurance claim/ }).click();
        await page.getByText('Phone dropped in rain', { exact: false }).first().waitFor();
        await screenshot(page, 'admin-request-detail-claim');
        // The proof needs the admin's token: fetched by the page and handed over as a file.
        const [proof] = await Promise.all([
          page.waitForEvent('download'),
          page.getByRole('button', { name: 'View #1' }).click(),
        ]);
        expect(proof.suggestedFilename()).toMatch(/^document-[0-9a-f]{8}\.pdf$/);
        expect(readFileSync(await proof.path())).toEqual(PDF_BYTES);

        await page.getByRole('link', { name: 'Workers' }).click();
        await page.getByLabel('Search by phone, email, name or id').fill('asha');
        await page.getByRole('button', { name: 'Search' }).click();
        await page.getByRole('link', { name: 'Asha <b>Devi</b>' }).waitFor();
        await screenshot(page, 'admin-workers');
        await page.getByRole('link', { name: 'Asha <b>Devi</b>' }).click();
        await page.getByRole('heading', { name: 'Asha <b>Devi</b>', level: 1 }).waitFor();
        // The worker's own words are shown verbatim, and nothing they wrote ran or became an element.
        await page.getByRole('cell', { name: markup }).waitFor();
        expect(await page.evaluate<unknown>('window.injected')).toBeUndefined();
        expect(await page.locator('img[src="x"]').count()).toBe(0);
        await screenshot(page, 'admin-worker-detail');

        await page.getByRole('link', { name: 'Commission & margin' }).click();
        await page
          .getByRole('cell', { name: 'Zomato' })
          .or(page.getByRole('columnheader', { name: 'Zomato' }))
          .waitFor();
        await screenshot(page, 'admin-commission');
        const [csv] = await Promise.all([
          page.waitForEvent('download'),
          page.getByRole('button', { name: 'Export CSV' }).click(),
        ]);
        expect(csv.suggestedFilename()).toMatch(/^gigbit-commission-\d{4}-\d{2}-to-\d{4}-\d{2}\.csv$/);
        const rows = readFileSync(await csv.path(), 'utf8')
          .trim()
          .split('\r\n');
        expect(rows[0]).toMatch(/^month,platform,platform_name,purchases,workers,commission_paise,commission_rupees,/);
        // This month: the rider's Solo plan binds Zomato (₹10 commission).
        expect(rows).toContainEqual(expect.stringMatching(/^\d{4}-\d{2},zomato,Zomato,1,1,1000,10\.00,,,,$/));

        await page.getByRole('link', { name: 'Reconciliation' }).click();
        await page.getByRole('cell', { name: 'Clean' }).waitFor();
        await screenshot(page, 'admin-reconciliation');

        await page.getByRole('link', { name: 'Audit log' }).click();
        await page.getByRole('cell', { name: 'admin.signed_in' }).first().waitFor();
        await screenshot(page, 'admin-audit');

        await page.getByRole('link', { name: 'Admins' }).click();
        await page.getByRole('cell', { name: superadmin.username, exact: true }).waitFor();
        await page.getByRole('cell', { name: other.username, exact: true }).waitFor();
        await screenshot(page, 'admin-admins');

        // A new admin's seed is shown once, outside any live region (a screen reader must not read it aloud
        // unasked), with the focus on its heading, until Done removes it.
        await page.getByLabel('Username', { exact: true }).fill('ops.newcomer');
        await page.getByLabel('Initial password (12+ characters)').fill(`pw-${randomUUID()}`);
        await page.getByRole('button', { name: 'Create admin' }).click();
        const seedHeading = page.getByRole('heading', { name: 'Authenticator seed for ops.newcomer' });
        await seedHeading.waitFor();
        expect(
          await seedHeading.evaluate(
            (h: { ownerDocument: { activeElement: unknown } }) => h === h.ownerDocument.activeElement,
          ),
        ).toBe(true);
        const seed = page.getByRole('region', { name: 'Authenticator seed for ops.newcomer' });
        const secret = await seed.locator('code').first().textContent();
        expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
        expect(
          await seed.evaluate(
            (s: { closest(selector: string): unknown }) =>
              s.closest('[aria-live], [role="status"], [role="alert"], [role="log"]') !== null,
          ),
        ).toBe(false);
        expect(await page.getByRole('status').filter({ hasText: secret! }).count()).toBe(0);
        await screenshot(page, 'admin-admins-seed');
        await seed.getByRole('button', { name: 'Done' }).click();
        await seed.waitFor({ state: 'detached' });
        expect(await page.getByText(secret!).count()).toBe(0);
        await page.getByRole('cell', { name: 'ops.newcomer', exact: true }).waitFor();

        // Hindi, remembered across a reload.
        await page.getByRole('link', { name: 'Overview' }).click();
        await page.getByLabel('Language').selectOption('hi');
        await page.getByRole('heading', { name: 'सारांश', level: 1 }).waitFor();
        await page.reload();
        await page.getByRole('heading', { name: 'सारांश', level: 1 }).waitFor();
        expect(await page.evaluate<unknown>('document.documentElement.lang')).toBe('hi');
        for (const chart of ['बीमा पूल (पिछले 30 दिन)', 'देरी के दिनों के अनुसार बकाया मूलधन', 'सिंक स्थिति के अनुसार जुड़े खाते']) {
          await page.getByRole('img', { name: chart }).waitFor();
        }
        await screenshot(page, 'admin-overview-hi');
        await page.goto('/');
        await page.getByRole('heading', { name: 'आपकी गिग कमाई, जब आपको ज़रूरत हो।' }).waitFor();
        await screenshot(page, 'landing-hi');
      },
    ),
    90_000,
  );
});
