export type PayoutStatus = 'pending' | 'succeeded' | 'failed';

/** A payout as the rail reports it. */
export interface RailPayout {
  payoutId: string;
  reference: string;
  amountPaise: number;
  status: PayoutStatus;
  failureReason: string | null;
}

/** Raised for answers that retrying cannot change (a 4xx): the payout was refused as sent. */
export class PayoutRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayoutRefusedError';
  }
}

/**
 * The payout rail adapter (HTTP). The simulator in simulators/payout-rail.ts speaks the same protocol; a real bank
 * or UPI provider is one more adapter with this shape.
 */
export function createPayoutRailClient(options: { baseUrl: string; timeoutMs?: number }) {
  const timeoutMs = options.timeoutMs ?? 10_000;
  async function call(path: string, init: RequestInit): Promise<RailPayout> {
    const response = await fetch(`${options.baseUrl}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const body = (await response.json().catch(() => ({}))) as RailPayout & { error?: string };
    if (response.status >= 400 && response.status < 500) {
      throw new PayoutRefusedError(body.error ?? `rail answered ${response.status}`);
    }
    if (!response.ok) throw new Error(`payout rail answered ${response.status}`);
    return body;
  }
  return {
    /** Idempotent at the rail: the same key always names the same payout. */
    createPayout(input: { reference: string; amountPaise: number; idempotencyKey: string }): Promise<RailPayout> {
      return call('/payouts', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': input.idempotencyKey },
        body: JSON.stringify({ reference: input.reference, amountPaise: input.amountPaise, currency: 'INR' }),
      });
    },
    getPayout(payoutId: string): Promise<RailPayout> {
      return call(`/payouts/${encodeURIComponent(payoutId)}`, { method: 'GET' });
    },
  };
}

export type PayoutRailClient = ReturnType<typeof createPayoutRailClient>;
