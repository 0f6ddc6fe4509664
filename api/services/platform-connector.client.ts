/**
 * The platform connector contract (SPEC §3): OTP link flow and a cursor-paginated trip feed. The platform simulator
 * speaks it; a real platform is one more implementation of these three calls.
 */
export interface ConnectorTrip {
  externalTripId: string;
  amountPaise: number;
  completedAt: string;
}

export class ConnectorRefusedError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ConnectorRefusedError';
  }
}

export function createPlatformConnector(baseUrl: string, timeoutMs = 10_000) {
  async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
    const response = await fetch(`${baseUrl}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', ...init.headers },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json().catch(() => ({}))) as T & { error?: string };
    if (response.status >= 400 && response.status < 500) {
      throw new ConnectorRefusedError(response.status, body.error ?? `platform answered ${response.status}`);
    }
    if (!response.ok) throw new Error(`platform answered ${response.status}`);
    return body;
  }
  return {
    requestOtp: (phone: string) => call<{ sent: boolean }>('/otp', { method: 'POST', body: JSON.stringify({ phone }) }),
    link: (phone: string, otp: string) =>
      call<{ externalAccountId: string }>('/link', { method: 'POST', body: JSON.stringify({ phone, otp }) }),
    trips: (externalAccountId: string, cursor: string | null, limit: number) =>
      call<{ trips: ConnectorTrip[]; nextCursor: string | null }>(
        `/accounts/${encodeURIComponent(externalAccountId)}/trips?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      ),
  };
}

export type PlatformConnector = ReturnType<typeof createPlatformConnector>;

/** Where a platform's connector lives: its own URL when set, else the shared connector base. */
export function connectorFor(
  platform: { slug: string; connectorUrl: string | null },
  defaultBase: string,
): PlatformConnector {
  return createPlatformConnector(
    platform.connectorUrl ?? `${defaultBase.replace(/\/$/, '')}/platforms/${platform.slug}`,
  );
}
