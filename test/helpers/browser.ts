import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { testEnvironment } from './environment';

/** Debian's Chromium (the only browser this machine kind can have; no browser downloads). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Screenshots are test artifacts, not tracked (test-results/ is ignored). */
export const SCREENSHOT_ROOT = path.resolve(__dirname, '..', '..', 'test-results', 'screenshots');
const RUNS_DIR = path.join(SCREENSHOT_ROOT, 'runs');
/** Always this machine's most recent run: `test-results/screenshots/latest/<name>.png`. */
export const LATEST_SCREENSHOTS = path.join(SCREENSHOT_ROOT, 'latest');
const KEEP_RUNS_MS = 24 * 3_600_000;

let runDir: string | undefined;

/**
 * This run's screenshot folder, so an image left by an earlier run can never pass for this one's (a test that now
 * fails before its screenshot would otherwise leave the old picture in place). Nothing is ever emptied: test files
 * run in parallel Jest workers, and other runs may be going on in the same checkout at the same time, so clearing a
 * shared folder would delete their pictures. Every worker of a run derives the same folder from what the global
 * set-up published: the run id (the Jest process id) plus the name of the run's temporary directory, because with
 * pid_max at 32768 a process id comes round again within hours. The first screenshot of each worker points
 * `latest` at its run (an atomic rename) and removes runs older than a day.
 */
export function screenshotDir(): string {
  if (runDir) return runDir;
  const env = testEnvironment();
  const name = `${env.runId}-${path.basename(path.dirname(env.workflowBundlePath))}`;
  const dir = path.join(RUNS_DIR, name);
  mkdirSync(dir, { recursive: true });
  const link = `${LATEST_SCREENSHOTS}.${process.pid}.tmp`;
  rmSync(link, { force: true });
  symlinkSync(path.join('runs', name), link);
  renameSync(link, LATEST_SCREENSHOTS);
  const olderThan = (file: string, ms: number) => {
    try {
      return Date.now() - statSync(file).mtimeMs > ms;
    } catch {
      return false; // removed meanwhile by another worker
    }
  };
  for (const other of readdirSync(RUNS_DIR)) {
    const old = path.join(RUNS_DIR, other);
    if (other !== name && olderThan(old, KEEP_RUNS_MS)) rmSync(old, { recursive: true, force: true });
  }
  // Pictures from before the per-run folders, loose in the root, once no run of that code can still be writing.
  for (const file of readdirSync(SCREENSHOT_ROOT)) {
    const loose = path.join(SCREENSHOT_ROOT, file);
    if (file.endsWith('.png') && olderThan(loose, 3_600_000)) rmSync(loose, { force: true });
  }
  runDir = dir;
  return dir;
}

/**
 * Installs Debian's chromium when it is missing and this process may (root, apt-get present), so a fresh machine
 * needs nothing by hand. Called once per run from the global set-up.
 */
/** Hindi screens need a Devanagari font; without one Chromium draws boxes (the tests pass, the screenshots lie). */
const DEVANAGARI_FONT_DIR = '/usr/share/fonts/truetype/lohit-devanagari';

export function ensureChromium(log: (line: string) => void = () => {}): void {
  const missing = [
    ...(existsSync(CHROMIUM_PATH) ? [] : ['chromium']),
    ...(existsSync(DEVANAGARI_FONT_DIR) ? [] : ['fonts-lohit-deva']),
  ];
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    throw new Error(`Missing ${missing.join(' and ')}: install them (apt-get install -y ${missing.join(' ')})`);
  }
  log(`installing ${missing.join(', ')} from Debian packages (once per machine)`);
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], {
    stdio: 'ignore',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    // The machine's network is closed: without these Chromium keeps trying Google's hosts.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A phone (390×844, touch) as the worker app is used. */
export function phoneContext(browser: Browser, baseURL: string, locale = 'en-IN'): Promise<BrowserContext> {
  return browser.newContext({
    baseURL,
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale,
  });
}

/** A laptop screen, as the operations team uses the portal. */
export function desktopContext(browser: Browser, baseURL: string, locale = 'en-IN'): Promise<BrowserContext> {
  return browser.newContext({ baseURL, viewport: { width: 1366, height: 900 }, locale });
}

/** Saves a full-page screenshot in this run's folder (`screenshotDir`) and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(screenshotDir(), `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Wraps a browser test's body: when it throws, every page it lists that is still open is saved first, as
 * `failed-<test name>-<n>.png`, so a failure shows what the browser showed. A Jest timeout ends the test without
 * the body throwing, which is why the tests' own waits (15 s) are shorter than their Jest timeouts.
 */
export function screenshotOnFailure(pages: () => Iterable<Page>, body: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await body();
    } catch (err) {
      const test = (expect.getState().currentTestName ?? 'test')
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '')
        .slice(0, 80);
      const open = [...pages()].filter((page) => !page.isClosed());
      // Best effort: a page that cannot be captured any more must not hide the test's own error.
      await Promise.all(open.map((page, index) => screenshot(page, `failed-${test}-${index + 1}`).catch(() => {})));
      throw err;
    }
  };
}
