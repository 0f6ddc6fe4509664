import { startPlatformSimulator, tripsOnDay, type PlatformSimulator, type Trip } from '../../simulators/platform';

const json = async <T>(response: Response) => (await response.json()) as T;

describe('platform simulator (the connector contract of SPEC §3)', () => {
  const now = new Date('2026-11-25T12:00:00+05:30');
  let platform: PlatformSimulator;
  beforeAll(async () => {
    platform = await startPlatformSimulator({ seed: 'test-seed', historyDays: 10, now: () => now });
  });
  afterAll(() => platform.close());

  const post = (path: string, body: unknown) =>
    fetch(`${platform.baseUrl('zomato')}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  async function link(phone: string): Promise<string> {
    expect((await post('/otp', { phone })).status).toBe(202);
    const { otp } = await json<{ otp: string }>(
      await fetch(`${platform.baseUrl('zomato')}/dev/otp/${encodeURIComponent(phone)}`),
    );
    const linked = await post('/link', { phone, otp });
    expect(linked.status).toBe(200);
    return (await json<{ externalAccountId: string }>(linked)).externalAccountId;
  }

  async function allTrips(accountId: string, limit: number): Promise<Trip[]> {
    const trips: Trip[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 1_000; page++) {
      const query: string = cursor ? `?limit=${limit}&cursor=${cursor}` : `?limit=${limit}`;
      const body: { trips: Trip[]; nextCursor: string | null } = await json(
        await fetch(`${platform.baseUrl('zomato')}/accounts/${accountId}/trips${query}`),
      );
      if (body.trips.length === 0) return trips;
      trips.push(...body.trips);
      cursor = body.nextCursor;
    }
    throw new Error('the feed never ended');
  }

  it('links an account with the code the platform texted, and refuses wrong codes (5 tries at most)', async () => {
    const phone = '+919811100001';
    await post('/otp', { phone });
    const code = platform.lastOtp('zomato', phone)!;
    const wrong = code === '000000' ? '000001' : '000000';
    for (let i = 0; i < 5; i++) expect((await post('/link', { phone, otp: wrong })).status).toBe(401);
    expect((await post('/link', { phone, otp: code })).status).toBe(429);
    const accountId = await link(phone);
    expect(accountId).toMatch(/^zomato-[0-9a-f]{16}$/);
    expect(await link(phone)).toBe(accountId);
  });

  it('pages through the whole history without gaps or duplicates, whatever the page size', async () => {
    const accountId = await link('+919811100002');
    const bySmallPages = await allTrips(accountId, 7);
    const byLargePages = await allTrips(accountId, 500);
    expect(bySmallPages).toEqual(byLargePages);
    expect(new Set(bySmallPages.map((t) => t.externalTripId)).size).toBe(bySmallPages.length);
    const ordered = [...bySmallPages].sort(
      (a, b) => a.completedAt.localeCompare(b.completedAt) || a.externalTripId.localeCompare(b.externalTripId),
    );
    expect(bySmallPages).toEqual(ordered);
    expect(bySmallPages.every((t) => t.completedAt <= now.toISOString())).toBe(true);
    expect(bySmallPages.length).toBeGreaterThan(10);
  });

  it('resumes from a cursor: a later sync gets only what is new', async () => {
    const accountId = await link('+919811100003');
    const first = await json<{ trips: Trip[]; nextCursor: string }>(
      await fetch(`${platform.baseUrl('zomato')}/accounts/${accountId}/trips?limit=5`),
    );
    const rest = await json<{ trips: Trip[] }>(
      await fetch(`${platform.baseUrl('zomato')}/accounts/${accountId}/trips?limit=500&cursor=${first.nextCursor}`),
    );
    expect([...first.trips, ...rest.trips]).toEqual(await allTrips(accountId, 500));
  });

  it('is deterministic for a seed and follows the contract’s numbers', async () => {
    // A second instance with the same seed serves the same history over HTTP; another seed does not.
    const again = await startPlatformSimulator({ seed: 'test-seed', historyDays: 10, now: () => now });
    try {
      const phone = '+919811100005';
      const first = await allTrips(await link(phone), 500);
      const original = platform;
      platform = again;
      const second = await allTrips(await link(phone), 500);
      platform = original;
      expect(second).toEqual(first);
      expect(tripsOnDay('other-seed', 'acct', 20_000)).not.toEqual(tripsOnDay('test-seed', 'acct', 20_000));
    } finally {
      await again.close();
    }
    let emptyDays = 0;
    const days = 1_000;
    for (let day = 20_000; day < 20_000 + days; day++) {
      const trips = tripsOnDay('stats', 'acct', day);
      if (trips.length === 0) {
        emptyDays++;
        continue;
      }
      expect(trips.length).toBeLessThanOrEqual(13);
      for (const trip of trips) {
        expect(trip.amountPaise % 100).toBe(0);
        expect(trip.amountPaise).toBeGreaterThanOrEqual(2_500);
        expect(trip.amountPaise).toBeLessThanOrEqual(5_000);
      }
    }
    // About 30% of daily sync windows bring nothing new.
    expect(emptyDays / days).toBeGreaterThan(0.25);
    expect(emptyDays / days).toBeLessThan(0.35);
  });

  it('refuses malformed requests and unknown accounts without crashing', async () => {
    expect((await post('/otp', { phone: 'x' })).status).toBe(400);
    expect((await fetch(`${platform.baseUrl('zomato')}/accounts/nope/trips`)).status).toBe(404);
    expect((await fetch(`${platform.url}/elsewhere`)).status).toBe(404);
    const accountId = await link('+919811100004');
    expect((await fetch(`${platform.baseUrl('zomato')}/accounts/${accountId}/trips?cursor=%%%`)).status).toBe(400);
    expect((await fetch(`${platform.baseUrl('zomato')}/otp`, { method: 'POST', body: '{' })).status).toBe(400);
  });
});
