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

/** The configured figures the app words its rules with (GET /v1/rules), for a test to expect them in the texts. */
export interface RulesFigures {
  withdrawal: { minPaise: number; maxPaise: number; insuranceShareBps: number; approvalFromPaise: number };
  loan: { minScore: number; minAmountPaise: number; windowDays: number; goodDayPaise: number };
  insurance: { claimReportingWindowDays: number; claimMinDocuments: number; claimMaxDocuments: number };
  documents: { maxBytes: number };
  accountDeletion: { graceDays: number };
}

export async function rulesOf(h: Harness): Promise<RulesFigures> {
  return (await h.api.app.inject({ method: 'GET', url: '/v1/rules' })).json<RulesFigures>();
}

/** ₹ with Indian grouping and paise when there are any, as the app shows money. */
export const rupeesText = (paise: number) =>
  `₹${Math.floor(paise / 100).toLocaleString('en-IN')}${paise % 100 ? `.${String(paise % 100).padStart(2, '0')}` : ''}`;

/** A share in basis points as the app shows it (100 → 1%, 150 → 1.5%). */
export const percentText = (bps: number) => `${Number((bps / 100).toFixed(2))}%`;

/** A size limit in bytes as the app shows it (5 MB). */
export const fileSizeText = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${Number((bytes / (1024 * 1024)).toFixed(1))} MB` : `${Math.floor(bytes / 1024)} KB`;

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

interface TappedEvent {
  type: string;
  eventId: number;
  seq: number;
}

/**
 * Sits between the app and the API on the live socket (Socket.IO frames over the WebSocket, forwarded unchanged
 * unless a test holds one) so a test can make the server's resync answer late, fail it, or slip a live event in
 * between two pages. The frames are Engine.IO messages carrying Socket.IO packets: `42<ack>["resync",{…}]` from the
 * app, `43<ack>[answer]` back, `42["type",envelope]` for a live event. Only sockets opened after this call pass it.
 */
export async function tapLiveSocket(page: Page) {
  const resyncAckIds = new Set<string>();
  let holdRequest: ((request: { afterSeq: number; answer: (payload: unknown) => void }) => void) | null = null;
  let holdAnswer: ((answer: { events: TappedEvent[]; more: boolean; release: () => void }) => void) | null = null;
  const tap = {
    /** `afterSeq` of every resync the app asked through the tap, in order. */
    resyncRequests: [] as number[],
    /** Live events passed on to the app, in order. */
    eventsToPage: [] as TappedEvent[],
    /** The app's next resync request is not passed on: the test answers it (or never does). */
    holdNextRequest(): Promise<{ afterSeq: number; answer: (payload: unknown) => void }> {
      return new Promise((resolve) => (holdRequest = resolve));
    },
    /** The server's next resync answer waits until the test releases it. */
    holdNextAnswer(): Promise<{ events: TappedEvent[]; more: boolean; release: () => void }> {
      return new Promise((resolve) => (holdAnswer = resolve));
    },
  };
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((frame) => {
      const resync = typeof frame === 'string' ? /^42(\d+)\["resync",(.*)\]$/s.exec(frame) : null;
      if (!resync) return server.send(frame);
      const [, ackId, body] = resync as unknown as [string, string, string];
      const afterSeq = (JSON.parse(body) as { afterSeq: number }).afterSeq;
      tap.resyncRequests.push(afterSeq);
      const held = holdRequest;
      if (held) {
        holdRequest = null;
        held({ afterSeq, answer: (payload) => ws.send(`43${ackId}${JSON.stringify([payload])}`) });
        return;
      }
      resyncAckIds.add(ackId);
      server.send(frame);
    });
    server.onMessage((frame) => {
      if (typeof frame !== 'string') return ws.send(frame);
      const live = /^42\["([^"]+)",(.*)\]$/s.exec(frame);
      if (live) {
        const envelope = JSON.parse(live[2]!) as TappedEvent;
        tap.eventsToPage.push({ type: live[1]!, eventId: envelope.eventId, seq: envelope.seq });
        return ws.send(frame);
      }
      const ack = /^43(\d+)\[(.*)\]$/s.exec(frame);
      const held = holdAnswer;
      if (ack && resyncAckIds.has(ack[1]!) && held) {
        holdAnswer = null;
        const answer = JSON.parse(ack[2]!) as { events: TappedEvent[]; more: boolean };
        held({ events: answer.events, more: answer.more, release: () => ws.send(frame) });
        return;
      }
      ws.send(frame);
    });
  });
  return tap;
}

/** The seq the app would resume the live stream from (stored per worker). */
export async function storedResumeSeq(page: Page, workerId: string): Promise<number> {
  return Number(await page.evaluate<string | null>(`localStorage.getItem('gigbit.lastSeq.${workerId}')`));
}
