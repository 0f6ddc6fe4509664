import type { Locator, Page } from 'playwright-core';
import { codeFromMailbox, uniquePhone, type Harness } from '../helpers/harness';

/** Waits until the locator's text matches (the app updates live; never a fixed sleep). */
export async function waitForText(locator: Locator, expected: string | RegExp, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const text = await locator.textContent({ timeout: Math.max(100, deadline - Date.now()) }).catch(() => null);
    last = text === null ? last : text.trim();
    if (typeof expected === 'string' ? last === expected : expected.test(last)) return last;
    if (Date.now() > deadline) throw new Error(`text ${JSON.stringify(last)} never matched ${String(expected)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls a value in the page (a plain expression: the test project has no DOM types). */
export async function waitForValue<T>(page: Page, expression: string, check: (v: T) => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await page.evaluate<T>(expression);
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`${expression} stayed ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Reads the worker's session the app stored after sign-in (the test then acts as the rest of the world). */
async function sessionOf(page: Page): Promise<{ token: string; workerId: string }> {
  const raw = await page.evaluate<string | null>("localStorage.getItem('gigbit.session')");
  const session = JSON.parse(raw ?? '{}') as { accessToken: string; subjectId: string };
  return { token: session.accessToken, workerId: session.subjectId };
}

export async function signInThroughApp(page: Page, h: Harness, phone = uniquePhone()) {
  await page.goto('/app/');
  await page.getByLabel('Mobile number').fill(phone);
  await page.getByRole('button', { name: 'Send code' }).click();
  await page.getByLabel('6-digit code').waitFor();
  await page.getByLabel('6-digit code').fill(await codeFromMailbox(h.api.app, phone));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('You can take out').waitFor();
  return sessionOf(page);
}
