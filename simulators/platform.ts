/**
 * A simulated gig platform (Zomato, Rapido, …): a real HTTP service implementing the connector contract of SPEC §3.
 *
 * One process serves every platform of the catalog under /platforms/{slug} (the connector base URL):
 *   POST {base}/otp            { phone }             → 202; the platform "texts" a 6-digit code to the worker
 *   GET  {base}/dev/otp/:phone                       → the last code sent (the simulator's stand-in for the phone)
 *   POST {base}/link           { phone, otp }        → 200 { externalAccountId } | 401 wrong code | 429 too many tries
 *   GET  {base}/accounts/:id/trips?cursor=&limit=    → { trips: [{ externalTripId, amountPaise, completedAt }], nextCursor }
 *
 * Trips are generated, not stored: deterministic for a (seed, account, IST day). About 30% of days bring no trips
 * (the seed app's "30% chance of no new trips" per sync, read as a daily sync window, because a feed must be a pure
 * function of time, not of who asks); other days bring 1–13 trips at ₹25–50 during the lunch and evening stretches.
 * Only trips completed by "now" are served, ordered by (completedAt, externalTripId); the cursor is opaque.
 */
import { createHash, randomInt } from 'node:crypto';
import { startJsonServer, type JsonReply } from './json-server';

export interface Trip {
  externalTripId: string;
  amountPaise: number;
  completedAt: string;
}

export interface PlatformSimulatorOptions {
  port?: number;
  /** Trips are a pure function of the seed: the same seed serves the same history. */
  seed: string;
  /** How many days of history before the link a new account already has. */
  historyDays?: number;
  now?: () => Date;
}

const IST_OFFSET_MS = 330 * 60 * 1000;
const DAY_MS = 86_400_000;
const MAX_OTP_TRIES = 5;

/** mulberry32: a tiny, fast PRNG; quality is ample for test data and it is identical on every machine. */
function prng(seedText: string): () => number {
  let a = createHash('sha256').update(seedText).digest().readUInt32LE(0);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The trips of one account on one IST day, in completion order. */
export function tripsOnDay(seed: string, accountId: string, istDay: number): Trip[] {
  const random = prng(`${seed}:${accountId}:${istDay}`);
  if (random() < 0.3) return [];
  const count = 1 + Math.floor(random() * 13);
  // Work happens in two busy stretches: lunch and evening.
  const shifts = [
    [11.5, 15],
    [18.5, 23],
  ];
  const trips: Trip[] = [];
  for (let i = 0; i < count; i++) {
    const [from, to] = shifts[Math.floor(random() * shifts.length)]!;
    const hour = from! + random() * (to! - from!);
    const completedAt = istDay * DAY_MS - IST_OFFSET_MS + Math.floor(hour * 3_600_000);
    trips.push({
      externalTripId: `${accountId}-${istDay}-${String(i).padStart(2, '0')}`,
      amountPaise: (25 + Math.floor(random() * 26)) * 100,
      completedAt: new Date(completedAt).toISOString(),
    });
  }
  return trips.sort(
    (a, b) => a.completedAt.localeCompare(b.completedAt) || a.externalTripId.localeCompare(b.externalTripId),
  );
}

interface Cursor {
  at: string;
  id: string;
}
const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(text: string): Cursor | undefined {
  try {
    const c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<Cursor>;
    return typeof c.at === 'string' && typeof c.id === 'string' ? { at: c.at, id: c.id } : undefined;
  } catch {
    return undefined;
  }
}

export interface PlatformSimulator {
  url: string;
  /** The connector base URL of one platform. */
  baseUrl(slug: string): string;
  /** The code last "texted" to a phone by a platform (what the worker would read on their phone). */
  lastOtp(slug: string, phone: string): string | undefined;
  close(): Promise<void>;
}

export async function startPlatformSimulator(options: PlatformSimulatorOptions): Promise<PlatformSimulator> {
  const now = options.now ?? (() => new Date());
  const historyDays = options.historyDays ?? 30;
  // Keyed by `${slug}:${phone}`: each platform texts its own codes.
  const otps = new Map<string, { code: string; tries: number }>();
  // Accounts remember when they were linked, so history starts historyDays before that.
  const accounts = new Map<string, { linkedDay: number }>();
  const accountIdOf = (slug: string, phone: string) =>
    `${slug}-${createHash('sha256').update(`${options.seed}:${slug}:${phone}`).digest('hex').slice(0, 16)}`;

  function tripsAfter(
    accountId: string,
    cursor: Cursor | undefined,
    limit: number,
  ): { trips: Trip[]; nextCursor: string | null } {
    const account = accounts.get(accountId);
    const today = Math.floor((now().getTime() + IST_OFFSET_MS) / DAY_MS);
    const firstDay = (account?.linkedDay ?? today) - historyDays;
    const startDay = cursor
      ? Math.max(firstDay, Math.floor((Date.parse(cursor.at) + IST_OFFSET_MS) / DAY_MS))
      : firstDay;
    const trips: Trip[] = [];
    for (let day = startDay; day <= today && trips.length < limit; day++) {
      for (const trip of tripsOnDay(options.seed, accountId, day)) {
        if (trip.completedAt > now().toISOString()) break;
        if (
          cursor &&
          (trip.completedAt < cursor.at || (trip.completedAt === cursor.at && trip.externalTripId <= cursor.id))
        ) {
          continue;
        }
        trips.push(trip);
        if (trips.length === limit) break;
      }
    }
    const last = trips.at(-1);
    // The cursor always advances to the last trip served; an empty page keeps the caller's cursor.
    const next = last
      ? encodeCursor({ at: last.completedAt, id: last.externalTripId })
      : cursor
        ? encodeCursor(cursor)
        : null;
    return { trips, nextCursor: next };
  }

  const server = await startJsonServer(options.port, ({ method, url: full, body: raw }): JsonReply => {
    const send = (status: number, reply: unknown): JsonReply => [status, reply];
    const scoped = /^\/platforms\/([a-z0-9-]{2,40})(\/.*)$/.exec(full.pathname);
    if (!scoped) return send(404, { error: 'not found' });
    const slug = scoped[1]!;
    const url = { pathname: scoped[2]!, searchParams: full.searchParams };
    if (method === 'POST' && url.pathname === '/otp') {
      const { phone } = JSON.parse(raw) as { phone?: unknown };
      if (typeof phone !== 'string' || !/^\+?[0-9]{10,15}$/.test(phone)) {
        return send(400, { error: 'a phone number is required' });
      }
      otps.set(`${slug}:${phone}`, { code: String(randomInt(0, 1_000_000)).padStart(6, '0'), tries: 0 });
      return send(202, { sent: true });
    }
    const otpMatch = /^\/dev\/otp\/(\+?[0-9]{10,15})$/.exec(decodeURIComponent(url.pathname));
    if (method === 'GET' && otpMatch) {
      const otp = otps.get(`${slug}:${otpMatch[1]!}`);
      return otp ? send(200, { otp: otp.code }) : send(404, { error: 'no code sent to this phone' });
    }
    if (method === 'POST' && url.pathname === '/link') {
      const { phone, otp } = JSON.parse(raw) as { phone?: unknown; otp?: unknown };
      const pending = typeof phone === 'string' ? otps.get(`${slug}:${phone}`) : undefined;
      if (!pending || typeof otp !== 'string') return send(401, { error: 'request a code first' });
      if (pending.tries >= MAX_OTP_TRIES) return send(429, { error: 'too many wrong codes; request a new one' });
      if (otp !== pending.code) {
        pending.tries++;
        return send(401, { error: 'wrong code' });
      }
      otps.delete(`${slug}:${phone as string}`);
      const externalAccountId = accountIdOf(slug, phone as string);
      if (!accounts.has(externalAccountId)) {
        accounts.set(externalAccountId, { linkedDay: Math.floor((now().getTime() + IST_OFFSET_MS) / DAY_MS) });
      }
      return send(200, { externalAccountId });
    }
    const tripsMatch = /^\/accounts\/([A-Za-z0-9-]{1,80})\/trips$/.exec(url.pathname);
    if (method === 'GET' && tripsMatch) {
      const accountId = tripsMatch[1]!;
      if (!accounts.has(accountId) || !accountId.startsWith(`${slug}-`)) {
        return send(404, { error: 'no such account' });
      }
      const limit = Math.min(Math.max(Number(url.searchParams.get('limit') ?? 100) || 100, 1), 500);
      const cursorText = url.searchParams.get('cursor');
      const cursor = cursorText ? decodeCursor(cursorText) : undefined;
      if (cursorText && !cursor) return send(400, { error: 'malformed cursor' });
      return send(200, tripsAfter(accountId, cursor, limit));
    }
    return send(404, { error: 'not found' });
  });

  return {
    url: server.url,
    baseUrl: (slug) => `${server.url}/platforms/${slug}`,
    lastOtp: (slug, phone) => otps.get(`${slug}:${phone}`)?.code,
    close: () => server.close(),
  };
}

// `node --import tsx simulators/platform.ts` (npm start runs it): settings from the environment.
if (require.main === module) {
  void startPlatformSimulator({
    port: Number(process.env.PLATFORM_SIMULATOR_PORT ?? 4200),
    seed: process.env.PLATFORM_SIMULATOR_SEED ?? 'gigbit',
  }).then((platform) => {
    console.log(`platform simulator on ${platform.url}/platforms/{slug}`);
    const stop = () => void platform.close().then(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
